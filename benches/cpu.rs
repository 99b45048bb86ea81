//! CPU-side hot parts: parsing the default head, laying a plan out on it (zone, area table,
//! chunks), the CPU reference of dot generation, and a big scan's decimation and exposure.
//! GPU figures come from `scalp bench`.
use criterion::{criterion_group, criterion_main, Criterion};
use scalp::dots::Layout;
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::worked::Worked;
use scalp::zone::Zone;
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let head = Head::builtin().expect("built-in head");
    let plan = Plan::default();
    c.bench_function("load built-in head (OBJ parse)", |b| {
        b.iter(|| black_box(Head::builtin().unwrap()))
    });
    c.bench_function("zone + layout (area table, chunks)", |b| {
        b.iter(|| {
            let worked = Worked::resolve(&plan);
            let zone = Zone::new(&worked.zone, &head.landmarks);
            black_box(Layout::new(&head.mesh, &zone, &worked.deposit).unwrap())
        })
    });
    let worked = Worked::resolve(&plan);
    let zone = Zone::new(&worked.zone, &head.landmarks);
    let layout = Layout::new(&head.mesh, &zone, &worked.deposit).unwrap();
    let exposure = scalp::exposure::vertex_exposure(&head.mesh, &plan.exposure);
    let mut g = c.benchmark_group("cpu reference");
    g.sample_size(10);
    g.bench_function("generate default plan", |b| {
        b.iter(|| {
            black_box(scalp::dots::reference::generate(
                &head.mesh, &exposure, &layout, &zone,
            ))
        })
    });
    g.bench_function("exposure (ray cast every vertex)", |b| {
        b.iter(|| black_box(scalp::exposure::vertex_exposure(&head.mesh, &plan.exposure)))
    });
    g.finish();

    // A big scan (the built-in head subdivided twice onto a smooth surface, 0.02 mm of noise:
    // 1.65 M triangles): decimating it, and its sky visibility on the full mesh (the sampled
    // path, see exposure::FULL_CAST_MAX_TRIANGLES).
    let big = scalp::head::decimate::subdivided_builtin_head(2, 0.02);
    let mut g = c.benchmark_group("big scan 1.6M");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(20));
    g.bench_function("decimate to 0.05 mm", |b| {
        b.iter(|| {
            black_box(scalp::head::decimate::decimate(
                &big.positions,
                &big.indices,
                &scalp::head::decimate::DecimateOptions::default(),
            ))
        })
    });
    g.bench_function("sky visibility (sampled)", |b| {
        b.iter(|| black_box(scalp::exposure::SkyVisibility::new(&big)))
    });
    // What a user loading that scan waits for: the scan is decimated first (once, here), then
    // every vertex of the result is cast.
    let loaded = scalp::head::decimate::decimate_if_big(&big)
        .expect("the big scan is above the decimation threshold")
        .apply_to_mesh(&big);
    g.bench_function("sky visibility (as loaded, decimated)", |b| {
        b.iter(|| black_box(scalp::exposure::SkyVisibility::new(&loaded)))
    });
    g.finish();
}

criterion_group!(cpu, benches);
criterion_main!(cpu);
