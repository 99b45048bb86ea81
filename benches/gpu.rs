//! One frame (age every dot, then skin, the client's own hair, splat and composite into an
//! offscreen image) at 10⁵ and 10⁶ dots on the best adapter, for both splatting paths. Wall
//! clock around a synchronised frame; `scalp bench` gives the per-pass GPU times from timestamp
//! queries.
use criterion::{criterion_group, criterion_main, Criterion};
use scalp::camera::{Camera, ViewPreset};
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings, SplatPath, Targets};
use scalp::{
    engine::{output_texture, Engine},
    treatment::Treatment,
};

fn frames(c: &mut Criterion) {
    let engine = match Engine::new(None) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("no GPU adapter, skipping the GPU frame bench: {e}");
            return;
        }
    };
    let gpu = &engine.gpu;
    let head = Head::builtin().expect("built-in head");
    let mut head_gpu = HeadGpu::new(gpu, &head);
    let size = (1280, 960);
    let targets = Targets::new(gpu, size, 2).expect("targets");
    let output = output_texture(gpu, size, wgpu::TextureUsages::empty());
    let view = output.create_view(&Default::default());
    let camera = Camera::framing(ViewPreset::ThreeQuarter, &head_gpu.outline, 4.0 / 3.0);
    let mut group = c.benchmark_group("frame 1280x960");
    group.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        let t = Treatment::new(&head, &Plan::default(), Some(n)).expect("treatment");
        // The client's own hair, as `scalp render` draws him.
        t.set_hairs(gpu, &head, &mut head_gpu);
        let dots = engine.generate(&head, &t).expect("dots");
        let mut aged = engine.ager.allocate(gpu, &dots);
        for path in [SplatPath::Raster, SplatPath::Compute] {
            let settings = RenderSettings {
                path,
                ..Default::default()
            };
            let mut year = 0.0f32;
            group.bench_function(format!("{n} dots, {path:?}"), |b| {
                b.iter(|| {
                    year = (year + 0.25) % 10.0;
                    // Whole frames: a kept skin would leave only the dots' passes.
                    targets.forget_skin();
                    engine
                        .ager
                        .age_into(gpu, &dots, &mut aged, t.age_params(year))
                        .expect("age");
                    engine
                        .renderer
                        .render(
                            gpu,
                            &head_gpu,
                            Some((&dots, &aged)),
                            &camera,
                            &settings,
                            &targets,
                            &view,
                        )
                        .expect("render");
                    gpu.wait().expect("wait");
                })
            });
        }
    }
    group.finish();
}

criterion_group!(gpu, frames);
criterion_main!(gpu);
