//! Writes the import template of a KIND: `cargo run -p gongjiang-io --example
//! write_template -- workers workers-template.xlsx`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "workers".into());
    let out = args
        .next()
        .unwrap_or_else(|| format!("{kind}-template.xlsx"));
    let spec = gongjiang_io::spec(&kind).ok_or("unknown kind")?;
    std::fs::write(&out, gongjiang_io::template(spec)?)?;
    eprintln!("wrote {out}");
    Ok(())
}
