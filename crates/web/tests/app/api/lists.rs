//! What every list that offers a region does with it: a blank choice is no choice (the
//! console's "all" sends `region=`), a district narrows to its subtree, a region that does
//! not exist finds nothing — the same on each list (`Scope::org_filter_in`).

use super::*;

#[tokio::test]
async fn a_blank_region_is_no_filter_on_every_list_that_offers_one() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let lists = [
        "/api/v1/pilots",
        "/api/v1/designations",
        "/api/v1/reports",
        "/api/v1/workers",
        "/api/v1/tasks",
        "/api/v1/problems",
        "/api/v1/professors",
        "/api/v1/cases",
    ];
    for list in lists {
        let total = |v: &Value| v["total"].as_i64().unwrap_or_else(|| panic!("{list}: {v}"));
        let all = total(&app.get_ok(&city, list).await);
        let blank = total(&app.get_ok(&city, &format!("{list}?region=")).await);
        let spaced = total(&app.get_ok(&city, &format!("{list}?region=%20")).await);
        let district = total(&app.get_ok(&city, &format!("{list}?region=320402")).await);
        let none = total(&app.get_ok(&city, &format!("{list}?region=329999")).await);
        assert_eq!((blank, spaced), (all, all), "{list}");
        assert!(district <= all, "{list}: {district} of {all}");
        assert_eq!(none, 0, "{list}");
    }
    // Lists the demo fills: the district is a real part of them, not all and not none.
    for list in ["/api/v1/pilots", "/api/v1/designations", "/api/v1/workers"] {
        let all = app.get_ok(&city, list).await["total"].as_i64().unwrap();
        let d = app.get_ok(&city, &format!("{list}?region=320402")).await["total"]
            .as_i64()
            .unwrap();
        assert!(d > 0 && d < all, "{list}: {d} of {all}");
    }
}
