//! The pipeline cache kept on disk (issue 17, part 4): a damaged or foreign file where the cache
//! should be is ignored, the engine renders as without it, and a whole cache is written back.
use crate::common::{engine, head};
use scalp::camera::ViewPreset;
use scalp::engine::{Engine, Frame, Viewpoint};
use scalp::gpu::pipelines;
use scalp::gpu::Gpu;
use scalp::render::{HeadGpu, RenderSettings};

#[test]
fn a_garbage_pipeline_cache_is_ignored_and_replaced_by_a_whole_one() {
    let dir = std::env::temp_dir().join(format!("scalp-pipeline-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut gpu = Gpu::new(std::env::var("SCALP_TEST_ADAPTER").ok().as_deref()).unwrap();
    let Some(key) = wgpu::util::pipeline_cache_key(&gpu.info) else {
        eprintln!("{}: no pipeline cache on this backend", gpu.describe());
        return;
    };
    let path = dir.join(format!("{key}.bin"));
    // Random bytes, then a file with our header over wgpu data from nowhere: both refused.
    for garbage in [
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<u8>>(),
        pipelines::wrap(b"not what the driver wrote"),
    ] {
        std::fs::write(&path, &garbage).unwrap();
        gpu.use_pipeline_cache_dir(&dir);
        assert!(gpu.pipeline_cache().is_some());
    }
    let e = Engine::from_gpu(gpu).unwrap();
    let settings = RenderSettings {
        ssaa: 1,
        ..Default::default()
    };
    let render = |e: &Engine| {
        let hg = HeadGpu::new(&e.gpu, head());
        e.render_image(&Frame {
            head: &hg,
            dots: None,
            view: Viewpoint::Preset(ViewPreset::Front),
            settings: &settings,
            size: (96, 72),
        })
        .unwrap()
    };
    let img = render(&e);
    assert_eq!(img, render(engine()), "the picture depends on the cache");
    // Written back whole when the engine was built (a driver that caches nothing still gets
    // wgpu's header).
    let file = std::fs::read(&path).unwrap();
    assert!(
        pipelines::unwrap(&file).is_some(),
        "the cache file was not rewritten"
    );
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}
