//! GPU faults are errors, never a panic or an abort: a request beyond the device's limits
//! names the size and the limit; a lost device (simulated with `Device::destroy`) is reported
//! as lost by every later step. Uses a device of its own, not the shared one.
use crate::common;

use scalp::engine::{Engine, Frame};
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;

#[test]
fn too_large_requests_name_their_size_and_a_lost_device_is_reported() {
    let adapter = std::env::var("SCALP_TEST_ADAPTER").ok();
    let e = Engine::new(adapter.as_deref()).unwrap();
    let h = common::head();
    let t = Treatment::new(h, &common::full_head(), Some(4000)).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let dots = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &dots, 1.0).unwrap();
    let settings = RenderSettings::default();
    let frame = |size| Frame {
        head: &hg,
        dots: Some((&dots, &aged)),
        view: scalp::camera::ViewPreset::Top.into(),
        settings: &settings,
        size,
    };

    // A picture whose supersampled targets pass the device's memory budget or texture limit:
    // refused with its size and the numbers, before the GPU is asked.
    let limit = e.gpu.device.limits().max_texture_dimension_2d;
    let ssaa4 = RenderSettings {
        ssaa: 4,
        ..RenderSettings::default()
    };
    let side = 16384.min(limit / 2);
    let err = e
        .render_image(&Frame {
            settings: &ssaa4,
            ..frame((side, side))
        })
        .unwrap_err()
        .to_string();
    eprintln!("{side}x{side} at 4x4 supersampling: {err}");
    assert!(err.contains(&format!("{side}×{side}")), "{err}");
    assert!(
        (err.contains("needs") && err.contains("allows")) || err.contains(&limit.to_string()),
        "{err}"
    );
    // And a buffer beyond max_buffer_size, made directly: the error scope catches it.
    let too_big = e.gpu.buffer_limit().saturating_add(4);
    let err = e
        .gpu
        .checked("a buffer past the limit", || {
            Ok(e.gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("too big"),
                size: too_big,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            }))
        })
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("a buffer past the limit"), "{err}");

    // A failed allocation (injected: the CPU drivers overcommit and never report one) is an
    // error of its own kind, naming the step, so a caller can tell it from a bad request; it
    // is reported once.
    e.gpu.inject_out_of_memory();
    match e.render_image(&frame((64, 48))) {
        Err(oom @ scalp::ScalpError::GpuOutOfMemory { .. }) => {
            let m = oom.to_string();
            assert!(
                m.contains("ran out of memory during creating the output image"),
                "{m}"
            );
        }
        other => panic!("not an out-of-memory error: {:?}", other.map(|_| ())),
    }

    // Still usable after all that.
    e.render_image(&frame((64, 48))).unwrap();
    assert!(e.gpu.lost().is_none());

    // Device loss: every later step says so, none panics.
    e.gpu.device.destroy();
    let _ = e.gpu.wait();
    assert!(
        e.gpu.lost().is_some(),
        "the device-lost callback did not run"
    );
    for err in [
        e.render_image(&frame((64, 48))).map(|_| ()).unwrap_err(),
        e.generate(h, &t).map(|_| ()).unwrap_err(),
        e.age(&t, &dots, 2.0).map(|_| ()).unwrap_err(),
    ] {
        let text = err.to_string();
        assert!(text.contains("the GPU device was lost"), "{text}");
    }
}
