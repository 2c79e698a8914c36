//! The reference for `bench/request_path.sh`: a bare axum "hello world" built with the
//! same axum, tokio and release profile as gongjiang, so the ratio measures our request
//! path and not the machine.
//!
//! `cargo run --release -p gongjiang-web --example hello -- 127.0.0.1:18081`

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
