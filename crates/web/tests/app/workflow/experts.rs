//! Expert scoring between the reviews and the notice.

use super::*;

/// Expert scoring on the engine (标杆试点评选): reviews, then experts assigned by the
/// city score independently (recusal for a related expert, range checks, each sees only
/// their own score), the city closes the scoring once all have scored, then 公示 and the
/// decision marks the pilot as 标杆.
#[tokio::test]
async fn experts_score_between_the_reviews_and_the_notice() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let district = app.token("tianning").await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    let c = app.post_ok(
            &unit,
            "/api/v1/cases",
            json!({"process": "benchmark_selection", "data": {"year": "2024", "achievements": "高技能人才占比三年提高6个百分点"}}),
        ).await;
    let id = c["id"].as_i64().unwrap();
    act(&app, &unit, id, json!({"action": "submit"})).await;
    act(&app, &district, id, json!({"action": "accept"})).await;
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("scoring")), "{c}");
    // Closing before anyone scored is refused.
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    refused(s, &e, 409, "scoring_incomplete");
    let assign = |who: &'static str| {
        let app = &app;
        let city = city.clone();
        async move {
            app.post(
                &city,
                &format!("/api/v1/cases/{id}/experts"),
                json!({"expert": who}),
            )
            .await
        }
    };
    let (s, e) = assign("tianning").await;
    refused_on(s, &e, 422, "expert");
    // An expert attached to the applicant's district recuses.
    let (s, u) = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "tn-expert", "display_name": "天宁专家", "role": "expert", "org": "320402", "password": "Tn-expert-2024"}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    let (s, e) = assign("tn-expert").await;
    refused(s, &e, 403, "conflict_of_interest");
    for who in ["expert", "expert2", "expert3"] {
        let (s, e) = assign(who).await;
        assert_eq!(s, 200, "{who}: {e}");
    }
    // The district cannot assign; an expert sees the case in their inbox.
    app.post(
        &district,
        &format!("/api/v1/cases/{id}/experts"),
        json!({"expert": "expert4"}),
    )
    .await
    .answers(403);
    let e1 = app.token("expert").await;
    let e2 = app.token("expert2").await;
    let e3 = app.token("expert3").await;
    let e4 = app.token("expert4").await;
    let (_, inbox) = app.get(&e2, "/api/v1/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|c| c["id"] == id),
        "{inbox}"
    );
    let score = |tok: &str, v: f64| {
        let tok = tok.to_string();
        let app = &app;
        async move {
            app.put(
                &tok,
                &format!("/api/v1/cases/{id}/score"),
                json!({"score": v, "comment": "成效明显"}),
            )
            .await
        }
    };
    let (s, e) = score(&e1, 101.0).await;
    refused_on(s, &e, 422, "score");
    let (s, _) = score(&e4, 80.0).await;
    assert_eq!(s, 404, "an expert not assigned does not see the case");
    app.get(&e4, &format!("/api/v1/cases/{id}"))
        .await
        .answers(404);
    assert_eq!(score(&e1, 90.0).await.0, 200);
    assert_eq!(score(&e2, 84.0).await.0, 200);
    let (_, d) = app.get(&e2, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["experts"].as_array().unwrap().len(), 1, "{d}");
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    refused(s, &e, 409, "scoring_incomplete");
    assert_eq!(score(&e3, 87.0).await.0, 200);
    let (_, d) = app.get(&city, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["experts"].as_array().unwrap().len(), 3, "{d}");
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("notice")), "{c}");
    assert_eq!(c["score"].as_f64(), Some(87.0));
    // After the scoring the unit sees the scores, anonymously.
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    let names: Vec<&str> = strs(&d["case"]["experts"], "name");
    assert_eq!(names, ["专家A", "专家B", "专家C"], "{d}");
    let (s, _) = score(&e1, 50.0).await;
    assert_eq!(s, 409, "scores are frozen once the scoring is closed");
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("approved")), "{c}");
    let org = c["org_id"].as_i64().unwrap();
    let (_, pilots) = app
        .get(&city, &format!("/api/v1/pilots?org_id={org}&per_page=50"))
        .await;
    let mine: Vec<&Value> = pilots["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["org_id"] == org)
        .collect();
    assert!(
        !mine.is_empty() && mine.iter().all(|p| p["benchmark"] == true),
        "{pilots}"
    );
    // The expert's console page shows the scoring card.
    let (s, html) = app
        .browser("expert")
        .await
        .get(&format!("/cases/{id}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("专家评审得分"), "{html}");
}
