//! Sessions with dates (issue 8, part 7): renders at any date show the build-up of the sessions
//! (about 30% → 70% → 100% of the dots) and the healing of each.
use crate::common;
use common::{engine, head};
use scalp::plan::Plan;
use scalp::treatment::Treatment;
use std::path::Path;

fn dated_plan() -> Plan {
    // Three weeks, then five weeks: an uneven schedule an even interval cannot express.
    Plan::from_toml_str(
        "[sessions]\ncount = 3\ndates = [2026-03-02, 2026-03-23, 2026-04-27]\n",
        Path::new("dated.toml"),
    )
    .unwrap()
}

fn days(d: f32) -> f32 {
    d / scalp::ageing::DAYS_PER_YEAR
}

#[test]
fn the_dates_set_when_each_session_is_placed_and_heals() {
    let plan = dated_plan();
    let starts = plan.sessions.start_years(&plan.ageing);
    assert_eq!(starts.len(), 3);
    assert!((starts[1] - days(21.0)).abs() < 1e-6 && (starts[2] - days(56.0)).abs() < 1e-6);
    assert!((plan.healed_years() - days(56.0 + 28.0)).abs() < 1e-6);

    let h = head();
    let t = Treatment::new(h, &plan, Some(20_000)).unwrap();
    let dots = t.reference_dots(h);
    let placed = |d: f32| {
        let p = t.age_params(days(d));
        dots.iter()
            .filter(|x| scalp::ageing::appearance(x, &p).amount > 0.0)
            .count() as f32
            / dots.len() as f32
    };
    // Between sessions: ~30% of the dots, then ~70%, then all.
    let (a, b, c) = (placed(10.0), placed(49.0), placed(60.0));
    assert!((a - 0.3).abs() < 0.03, "after the first session {a}");
    assert!(
        (b - 0.7).abs() < 0.03,
        "after the second {b} (day 49: the third is on day 56)"
    );
    assert!(c > 0.999, "after the third {c}");
    // Each session heals on its own clock: on day 57 the third session's dots are red and
    // swollen, the first's long settled.
    let p = t.age_params(days(57.0));
    let red = |session: u32| {
        let s: Vec<f32> = dots
            .iter()
            .filter(|x| x.session() == session)
            .map(|x| scalp::ageing::appearance(x, &p).redness)
            .collect();
        s.iter().sum::<f32>() / s.len().max(1) as f32
    };
    assert!(
        red(2) > 0.5 && red(0) < 0.01,
        "redness {} {}",
        red(2),
        red(0)
    );

    // The GPU age pass follows the same dates.
    let e = engine();
    let gpu_dots = e.generate(h, &t).unwrap();
    let list = gpu_dots.read_unsorted(&e.gpu).unwrap();
    for d in [10.0f32, 30.0, 57.0, 400.0] {
        let looks = e
            .age(&t, &gpu_dots, days(d))
            .unwrap()
            .read(&e.gpu, &gpu_dots)
            .unwrap();
        let p = t.age_params(days(d));
        for (x, g) in list.iter().zip(&looks) {
            let c = scalp::ageing::appearance(x, &p);
            assert!(
                (g.amount - c.amount).abs() <= 1e-4 * c.amount.max(1.0)
                    && (g.redness - c.redness).abs() <= 1e-4,
                "day {d}: GPU {g:?} CPU {c:?}"
            );
        }
    }
}

#[test]
fn bad_dates_are_refused_with_the_line_and_what_is_allowed() {
    let bad = |text: &str| {
        Plan::from_toml_str(text, Path::new("p.toml"))
            .unwrap_err()
            .to_string()
    };
    let e = bad("[sessions]\ncount = 3\ndates = [2026-03-02, 2026-03-23]\n");
    assert!(
        e.contains("p.toml:3") && e.contains("2 dates") && e.contains("count is 3"),
        "{e}"
    );
    let e = bad("[sessions]\ncount = 2\ndates = [2026-03-02, 2026-03-04]\n");
    assert!(e.contains("2 days apart") && e.contains("7 to 84"), "{e}");
    let e = bad("[sessions]\ncount = 2\ndates = [2026-03-23, 2026-03-02]\n");
    assert!(e.contains("-21 days apart"), "{e}");
    let e = bad("[sessions]\ncount = 2\ndates = [\"2026-03-02\", 2026-03-23]\n");
    assert!(
        e.contains("sessions.dates[0]") && e.contains("wrong type"),
        "{e}"
    );
    let e = bad("[sessions]\ncount = 1\ndates = [2026-03-02T10:00:00]\n");
    assert!(e.contains("plain date"), "{e}");
    assert_eq!(
        scalp::plan::parse_date("2026-03-02"),
        Ok(scalp::plan::days_from_civil(2026, 3, 2))
    );
    assert_eq!(scalp::plan::days_from_civil(1970, 1, 1), 0);
    assert_eq!(
        scalp::plan::days_from_civil(2000, 3, 1) - scalp::plan::days_from_civil(2000, 2, 28),
        2
    );
    assert!(scalp::plan::parse_date("2026-13-40").is_err());
}
