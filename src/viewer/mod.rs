//! `scalp view`: the consultation-room viewer. A winit window shows the library's render of
//! the head (src/viewer/view3d.rs) under an egui side panel (panel.rs); the camera orbits with
//! damping (orbit.rs); new heads and plans are built on a worker thread (scene.rs). The library
//! stays window-free: everything about windows lives here, in the binary.
//!
//! Frames are drawn only when something changed (input, the camera still gliding, a finished
//! job, egui's own animations); while the hand moves on a CPU driver the view is drawn small
//! and refined when it stops.
mod orbit;
mod panel;
mod scene;
mod view3d;

use egui::{Color32, Key, Modifiers};
use orbit::Orbit;
use panel::{Actions, Controls, Status};
use scalp::camera::ViewPreset;
use scalp::gpu::Gpu;
use scalp::head::obj::LoadOptions;
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::render::SplatPath;
use scalp::{engine::Engine, png::write_png};
use scalp::{Result, ScalpError};
use scene::{HeadSource, Job, Scene, Worker, WorkerEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use view3d::{Quality, View3d};
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Window, WindowId};

/// Width of the side panel at start, points.
const PANEL_WIDTH: f32 = 330.0;

/// What `scalp view` was started with.
pub struct Options {
    pub head: Head,
    pub plan: Plan,
    /// Units and axis for heads loaded later (dropped files).
    pub load: LoadOptions,
    pub adapter: Option<String>,
    pub view: ViewPreset,
    /// Window size, logical pixels.
    pub size: (u32, u32),
    /// Years after the first session; None: healed.
    pub years: Option<f32>,
    pub dots: bool,
    pub split: Option<f32>,
    pub light: scalp::light::LightPreset,
    /// Frames to draw once the head and its dots are ready, then write `out` and exit.
    pub screenshot_after: Option<u32>,
    pub out: PathBuf,
    pub save_plan: PathBuf,
}

/// Opens the window and runs until it is closed (or the screenshot is written).
pub fn run(opts: Options) -> Result<()> {
    if cfg!(all(unix, not(target_os = "macos")))
        && ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
            .iter()
            .all(|v| std::env::var_os(v).is_none_or(|d| d.is_empty()))
    {
        return Err(ScalpError::invalid(
            "scalp view",
            "there is no display to open a window on: neither DISPLAY (X11) nor \
             WAYLAND_DISPLAY is set. On a machine without one, run it under a virtual X server: \
             xvfb-run -a scalp view … (Debian/Ubuntu: apt-get install xvfb)",
        ));
    }
    let window_error = |e: &dyn std::fmt::Display| {
        ScalpError::invalid(
            "scalp view",
            format!(
                "cannot open a window: {e} (DISPLAY={}, WAYLAND_DISPLAY={})",
                std::env::var("DISPLAY").unwrap_or_default(),
                std::env::var("WAYLAND_DISPLAY").unwrap_or_default()
            ),
        )
    };
    let event_loop = EventLoop::<WorkerEvent>::with_user_event()
        .build()
        .map_err(|e| window_error(&e))?;
    let mut app = App {
        opts: Some(opts),
        proxy: event_loop.create_proxy(),
        viewer: None,
        result: Ok(()),
    };
    event_loop.run_app(&mut app).map_err(|e| window_error(&e))?;
    app.result
}

struct App {
    opts: Option<Options>,
    proxy: EventLoopProxy<WorkerEvent>,
    viewer: Option<Viewer>,
    result: Result<()>,
}

impl App {
    /// Leaves the event loop when the viewer has decided to (screenshot written, or failed).
    fn check_exit(&mut self, el: &ActiveEventLoop) {
        if let Some(v) = &mut self.viewer {
            if let Some(r) = v.exit.take() {
                self.result = r;
                el.exit();
            }
        }
    }
}

impl ApplicationHandler<WorkerEvent> for App {
    fn resumed(&mut self, el: &ActiveEventLoop) {
        if self.viewer.is_some() {
            return;
        }
        if let Some(opts) = self.opts.take() {
            match Viewer::open(el, opts, self.proxy.clone()) {
                Ok(v) => self.viewer = Some(v),
                Err(e) => {
                    self.result = Err(e);
                    el.exit();
                }
            }
        }
    }

    fn window_event(&mut self, el: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        if let Some(v) = &mut self.viewer {
            if matches!(event, WindowEvent::CloseRequested) {
                v.exit = Some(Ok(()));
            } else {
                v.window_event(event);
            }
        }
        self.check_exit(el);
    }

    fn user_event(&mut self, el: &ActiveEventLoop, event: WorkerEvent) {
        if let Some(v) = &mut self.viewer {
            v.worker_event(event);
        }
        self.check_exit(el);
    }

    fn about_to_wait(&mut self, el: &ActiveEventLoop) {
        if let Some(v) = &mut self.viewer {
            // egui asks for a repaint later (tooltips, smoothed scrolling): sleep until then.
            match v.repaint_at {
                Some(t) if t <= Instant::now() => {
                    v.repaint_at = None;
                    v.redraw_soon();
                    el.set_control_flow(ControlFlow::Wait);
                }
                Some(t) => el.set_control_flow(ControlFlow::WaitUntil(t)),
                None => el.set_control_flow(ControlFlow::Wait),
            }
        }
        self.check_exit(el);
    }
}

/// What one pass of the UI produced.
#[derive(Default)]
struct UiOut {
    actions: Actions,
    /// The 3D view's rectangle, points.
    view_rect: Option<egui::Rect>,
    /// The hand is on the view (orbit, pan, divider).
    handling_view: bool,
    dismiss_error: bool,
    toggle_split: bool,
}

/// Fields drop in this order: what uses the device first, then the surface, the device, the
/// instance and last the window (GL drivers crash at exit otherwise).
struct Viewer {
    worker: Worker,
    scene: Option<Scene>,
    view3d: View3d,
    egui_renderer: egui_wgpu::Renderer,
    egui_state: egui_winit::State,
    egui_ctx: egui::Context,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    engine: Arc<Engine>,
    instance: wgpu::Instance,
    window: Arc<Window>,
    orbit: Orbit,
    controls: Controls,
    /// The head given at start, until a scene exists.
    start_head: Option<Arc<Head>>,
    pending_load: Option<PathBuf>,
    /// A plan the worker refused: not retried until the user changes it.
    failed_plan: Option<Plan>,
    /// The plan of the job under way, and whether it loads a new head.
    running: Option<(Plan, bool)>,
    path: SplatPath,
    progress: Option<(String, usize, usize)>,
    error: Option<String>,
    note: Option<String>,
    hovering_file: bool,
    mesh_path: String,
    load: LoadOptions,
    start_view: ViewPreset,
    /// Width over height of the 3D view (the window less the panel).
    view_aspect: f32,
    adapter: String,
    last_frame: Instant,
    repaint_at: Option<Instant>,
    screenshot_after: Option<u32>,
    ready_frames: u32,
    out: PathBuf,
    save_plan: PathBuf,
    /// Set when the viewer wants the event loop to end, with the run's result.
    exit: Option<Result<()>>,
}

/// The GPU, the window's surface and the instance it came from: Vulkan first, GL when no
/// Vulkan adapter can draw into this window.
fn open_gpu(
    el: &ActiveEventLoop,
    window: &Arc<Window>,
    want: Option<&str>,
) -> Result<(wgpu::Instance, wgpu::Surface<'static>, Gpu)> {
    let mut seen = Vec::new();
    let mut other = Vec::new();
    for backends in [wgpu::Backends::VULKAN, wgpu::Backends::GL] {
        let instance =
            scalp::gpu::instance_with_display(backends, Some(Box::new(el.owned_display_handle())));
        let surface = match instance.create_surface(window.clone()) {
            Ok(s) => s,
            Err(e) => {
                other.push(format!("{backends:?}: {e}"));
                continue;
            }
        };
        match Gpu::for_surface(want, &instance, &surface) {
            Ok(gpu) => return Ok((instance, surface, gpu)),
            Err(ScalpError::NoAdapter { .. }) => {
                let list = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
                seen.extend(list.iter().map(|a| scalp::gpu::describe(&a.get_info())));
            }
            Err(e) => other.push(e.to_string()),
        }
    }
    // One message for both backends, with everything that was seen.
    Err(ScalpError::NoAdapter {
        detail: format!(
            " that can draw into this window{} (adapters seen: {}{})",
            want.map(|w| format!(" and matches \"{w}\""))
                .unwrap_or_default(),
            if seen.is_empty() {
                "none".into()
            } else {
                seen.join("; ")
            },
            if other.is_empty() {
                String::new()
            } else {
                format!("; {}", other.join("; "))
            }
        ),
    })
}

/// The surface format egui draws best into (plain 8-bit, it encodes sRGB itself), else an
/// sRGB one, else what there is.
fn surface_format(formats: &[wgpu::TextureFormat]) -> Option<wgpu::TextureFormat> {
    use wgpu::TextureFormat as F;
    [
        F::Rgba8Unorm,
        F::Bgra8Unorm,
        F::Rgba8UnormSrgb,
        F::Bgra8UnormSrgb,
    ]
    .into_iter()
    .find(|f| formats.contains(f))
    .or_else(|| formats.first().copied())
}

impl Viewer {
    fn open(
        el: &ActiveEventLoop,
        o: Options,
        proxy: EventLoopProxy<WorkerEvent>,
    ) -> Result<Viewer> {
        let attrs = Window::default_attributes()
            .with_title("scalp — consultation view")
            .with_inner_size(winit::dpi::LogicalSize::new(o.size.0, o.size.1));
        let window = Arc::new(el.create_window(attrs).map_err(|e| {
            ScalpError::invalid("scalp view", format!("cannot open a window: {e}"))
        })?);
        let (instance, surface, gpu) = open_gpu(el, &window, o.adapter.as_deref())?;
        let adapter = gpu.describe();
        let size = window.inner_size();
        let caps = surface.get_capabilities(&gpu.adapter);
        log::debug!(
            "surface: formats {:?}, present modes {:?}",
            caps.formats,
            caps.present_modes
        );
        let format = surface_format(&caps.formats).ok_or_else(|| ScalpError::Gpu {
            during: "setting up the window".into(),
            message: format!("{adapter} offers no format to draw into this window"),
        })?;
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format,
            width: size.width.max(1),
            height: size.height.max(1),
            present_mode: wgpu::PresentMode::AutoVsync,
            desired_maximum_frame_latency: 2,
            alpha_mode: caps
                .alpha_modes
                .first()
                .copied()
                .unwrap_or(wgpu::CompositeAlphaMode::Auto),
            view_formats: vec![],
            color_space: wgpu::SurfaceColorSpace::Auto,
        };
        gpu.checked("setting up the window", || {
            surface.configure(&gpu.device, &config);
            Ok(())
        })?;
        let engine = Arc::new(Engine::from_gpu(gpu)?);
        let view3d = View3d::new(&engine)?;
        let egui_ctx = egui::Context::default();
        let egui_state = egui_winit::State::new(
            egui_ctx.clone(),
            egui::ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            window.theme(),
            Some(engine.gpu.device.limits().max_texture_dimension_2d as usize),
        );
        let egui_renderer = egui_wgpu::Renderer::new(
            &engine.gpu.device,
            format,
            egui_wgpu::RendererOptions::default(),
        );
        let worker = Worker::spawn(engine.clone(), move |e| {
            // Fails only when the window has closed: nothing left to tell.
            let _ = proxy.send_event(e);
        });
        // Until the first frame says, guess the view as the window less the panel.
        let aspect = (o.size.0 as f32 - PANEL_WIDTH).max(100.0) / o.size.1.max(1) as f32;
        let orbit = Orbit::new(scalp::render::frame_bounds(&o.head), o.view, aspect);
        let years = o.years.unwrap_or_else(|| o.plan.healed_years());
        let mut controls = Controls::new(o.plan, years);
        controls.settings.dots = o.dots;
        controls.split = o.split;
        controls.settings.light = o.light;
        let mut v = Viewer {
            window,
            instance,
            surface,
            config,
            engine,
            egui_ctx,
            egui_state,
            egui_renderer,
            view3d,
            orbit,
            controls,
            scene: None,
            worker,
            start_head: Some(Arc::new(o.head)),
            pending_load: None,
            failed_plan: None,
            running: None,
            path: SplatPath::Raster,
            progress: None,
            error: None,
            note: None,
            hovering_file: false,
            mesh_path: String::new(),
            load: o.load,
            start_view: o.view,
            view_aspect: aspect,
            adapter,
            last_frame: Instant::now(),
            repaint_at: None,
            screenshot_after: o.screenshot_after,
            ready_frames: 0,
            out: o.out,
            save_plan: o.save_plan,
            exit: None,
        };
        v.reconcile();
        v.redraw_soon();
        Ok(v)
    }

    #[track_caller]
    fn redraw_soon(&self) {
        log::trace!("redraw asked at {}", std::panic::Location::caller());
        self.window.request_redraw();
    }

    fn window_event(&mut self, event: WindowEvent) {
        if let WindowEvent::RedrawRequested = event {
            // Not egui's: it answers every redraw with "repaint", which would never sleep.
            self.redraw();
            return;
        }
        if self
            .egui_state
            .on_window_event(&self.window, &event)
            .repaint
        {
            self.redraw_soon();
        }
        match event {
            WindowEvent::Resized(size) => {
                if size.width > 0 && size.height > 0 {
                    self.config.width = size.width;
                    self.config.height = size.height;
                    self.configure_surface();
                }
                self.redraw_soon();
            }
            WindowEvent::HoveredFile(_) => {
                self.hovering_file = true;
                self.redraw_soon();
            }
            WindowEvent::HoveredFileCancelled => {
                self.hovering_file = false;
                self.redraw_soon();
            }
            WindowEvent::DroppedFile(path) => {
                self.hovering_file = false;
                self.pending_load = Some(path);
                self.reconcile();
                self.redraw_soon();
            }
            _ => {}
        }
    }

    fn worker_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Progress(what, done, total) => self.progress = Some((what, done, total)),
            WorkerEvent::Done(result) => {
                self.worker.finished();
                self.progress = None;
                match result {
                    Ok(built) => {
                        if let Some(p) = built.path {
                            self.path = p;
                        }
                        // The camera frames the head it was made for: the one on screen, or
                        // the start head before there is a scene.
                        let framed = self
                            .scene
                            .as_ref()
                            .map(|s| &s.head)
                            .or(self.start_head.as_ref());
                        if !framed.is_some_and(|h| Arc::ptr_eq(h, &built.head)) {
                            self.orbit
                                .set_bounds(built.head_gpu.bounds, self.view_aspect);
                            self.note = Some(format!("loaded {}", built.head.source));
                        }
                        let version = self.scene.as_ref().map_or(0, |s| s.version + 1);
                        let mut scene = Scene::new(&self.engine, *built);
                        scene.version = version;
                        self.scene = Some(scene);
                        self.start_head = None;
                        self.failed_plan = None;
                    }
                    Err(e) => {
                        // A scan that failed to load says nothing about the plan; a plan that
                        // failed to generate is not tried again until it changes.
                        if let Some((plan, false)) = self.running.take() {
                            self.failed_plan = Some(plan);
                        }
                        self.fail(e);
                    }
                }
                self.running = None;
                self.reconcile();
            }
        }
        self.redraw_soon();
    }

    /// Shows an error in the window; a run that was only to take a screenshot ends with it.
    fn fail(&mut self, message: String) {
        if self.screenshot_after.is_some() {
            self.exit = Some(Err(ScalpError::invalid("scalp view", message.clone())));
        }
        log::warn!("{message}");
        self.error = Some(message);
    }

    /// Starts the least work that brings the scene to what the controls ask for.
    fn reconcile(&mut self) {
        if !self.worker.busy() {
            let plan = self.controls.plan.clone();
            // The start head until a scene exists (tried again after a failure once the plan
            // changes); a file to load; or new dots for the head on screen.
            let start = self.start_head.clone().filter(|_| self.scene.is_none());
            let retry = self.failed_plan.as_ref() != Some(&plan);
            let job = if let Some(path) = self.pending_load.take() {
                Some(Job {
                    head: HeadSource::Load(path, self.load.clone()),
                    plan,
                    choose_path: self.scene.is_none(),
                })
            } else if let Some(head) = start {
                retry.then_some(Job {
                    head: HeadSource::Given(head),
                    plan,
                    choose_path: true,
                })
            } else {
                self.scene
                    .as_ref()
                    .filter(|s| retry && s.needs_generation(&plan))
                    .map(|s| Job {
                        head: HeadSource::Keep(s.head.clone(), s.head_gpu.clone()),
                        plan,
                        choose_path: false,
                    })
            };
            if let Some(job) = job {
                self.progress = Some(("preparing".into(), 0, 0));
                let load = matches!(job.head, HeadSource::Load(..));
                self.running = Some((job.plan.clone(), load));
                if !self.worker.start(job) {
                    self.running = None;
                    self.progress = None;
                    self.fail(
                        "the thread that builds scenes has stopped; restart the viewer".into(),
                    );
                }
            }
        }
        if let Some(scene) = &mut self.scene {
            if let Err(e) =
                scene.sync_ageing(&self.engine, &self.controls.plan, self.controls.years)
            {
                self.fail(e.to_string());
            }
        }
    }

    fn configure_surface(&mut self) {
        let gpu = &self.engine.gpu;
        if let Err(e) = gpu.checked("resizing the window", || {
            self.surface.configure(&gpu.device, &self.config);
            Ok(())
        }) {
            self.fail(e.to_string());
        }
    }

    fn redraw(&mut self) {
        let now = Instant::now();
        let dt = (now - self.last_frame).as_secs_f32();
        self.last_frame = now;

        let raw = self.egui_state.take_egui_input(&self.window);
        let ctx = self.egui_ctx.clone();
        let mut out = UiOut::default();
        let full = ctx.run_ui(raw, |ui| self.ui(ui, &mut out));
        self.egui_state
            .handle_platform_output(&self.window, full.platform_output);

        if out.dismiss_error {
            self.error = None;
        }
        if out.toggle_split {
            self.controls.split = match self.controls.split {
                Some(_) => None,
                None => Some(0.5),
            };
        }
        if let Some(p) = out.actions.preset {
            self.orbit.preset(p, self.view_aspect);
        }
        if let Some(path) = out.actions.load_mesh.take() {
            self.pending_load = Some(path);
        }
        if out.actions.save_plan {
            self.save_plan();
        }
        self.reconcile();

        let moving = self.orbit.step(dt);
        let interacting = moving || out.handling_view || ctx.dragged_id().is_some();
        let ppp = full.pixels_per_point;
        let view_px = out.view_rect.map(|r| {
            (
                (r.width() * ppp).round().max(16.0) as u32,
                (r.height() * ppp).round().max(16.0) as u32,
            )
        });
        if let Some((w, h)) = view_px {
            self.view_aspect = w as f32 / h as f32;
        }
        let camera = self.orbit.camera();
        if let (Some(scene), Some(px)) = (&self.scene, view_px) {
            let quality = self.view3d.quality(interacting);
            if let Err(e) = self.view3d.draw(
                &self.engine,
                &mut self.egui_renderer,
                scene,
                &camera,
                &self.controls.settings,
                self.controls.split,
                self.path,
                px,
                quality,
            ) {
                self.fail(e.to_string());
            }
            if out.actions.save_picture {
                self.save_picture(&camera, px);
            }
        }

        // --screenshot-after: count frames once the head and its dots are on screen at full
        // quality, and capture the last one.
        let ready = self.scene.as_ref().is_some_and(|s| s.aged_years.is_some())
            && self.view3d.last.is_some()
            && !self.worker.busy()
            && self.pending_load.is_none()
            && !self.view3d.showing_preview();
        let mut capture = out.actions.screenshot.then(|| self.next_file("png"));
        if let Some(n) = self.screenshot_after {
            if ready {
                self.ready_frames += 1;
                if self.ready_frames >= n {
                    capture = Some(self.out.clone());
                }
            }
        }
        let t_paint = Instant::now();
        let shapes = self.egui_ctx.tessellate(full.shapes, ppp);
        let captured = self.paint(&shapes, full.textures_delta, ppp, capture.is_some());
        if capture.is_none() {
            if let Err(e) = &captured {
                self.fail(e.to_string());
            }
        }
        if let Some(path) = capture {
            let written = captured.and_then(|img| match img {
                Some(img) => write_png(&img, &path),
                None => Err(ScalpError::invalid("screenshot", "no image was captured")),
            });
            match (
                &written,
                self.screenshot_after.is_some() && path == self.out,
            ) {
                (_, true) => {
                    if written.is_ok() {
                        println!(
                            "wrote {} after {} frames",
                            path.display(),
                            self.ready_frames
                        );
                    }
                    self.exit = Some(written);
                }
                (Ok(()), false) => self.note = Some(format!("wrote {}", path.display())),
                (Err(e), false) => self.error = Some(e.to_string()),
            }
        }

        // Next frame: only when something will change.
        let repaint = full
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map(|v| v.repaint_delay)
            .unwrap_or(Duration::MAX);
        let refine = self.view3d.showing_preview() && !interacting;
        log::debug!(
            "frame {:.0} ms after the last, {:.0} ms before painting, painting {:.0} ms: moving {moving}, interacting {interacting}, 3D {:?}",
            dt * 1000.0,
            (t_paint - now).as_secs_f32() * 1000.0,
            t_paint.elapsed().as_secs_f32() * 1000.0,
            self.view3d.last
        );
        if moving || refine || repaint.is_zero() || self.screenshot_after.is_some() {
            self.redraw_soon();
        } else if repaint < Duration::from_secs(3600) {
            self.repaint_at = Some(Instant::now() + repaint);
        }
    }

    fn ui(&mut self, root: &mut egui::Ui, out: &mut UiOut) {
        let frame = match self.view3d.last {
            Some((q, (w, h), ssaa, s)) => format!(
                "last frame {w}×{h}{} {} in {:.0} ms",
                if ssaa > 1 {
                    format!(" ×{ssaa} ssaa")
                } else {
                    String::new()
                },
                match q {
                    Quality::Full => "full",
                    Quality::Preview => "preview",
                },
                1000.0 * s
            ),
            None => String::new(),
        };
        let head = self
            .scene
            .as_ref()
            .map(|s| format!("head: {}", s.head.source))
            .unwrap_or_else(|| "preparing the head…".into());
        let status = Status {
            head: &head,
            dots: self.scene.as_ref().map(|s| {
                (
                    s.dots.total(),
                    s.treatment.layout.treated_area_mm2 / 100.0,
                    s.generate_s,
                )
            }),
            healed_years: self.controls.plan.healed_years(),
            adapter: &self.adapter,
            frame: &frame,
            error: self.error.as_deref(),
            note: self.note.as_deref(),
        };
        egui::Panel::right("controls")
            .resizable(true)
            .default_size(PANEL_WIDTH)
            .show(root, |ui| {
                out.actions = panel::show(
                    ui,
                    &mut self.controls,
                    &status,
                    &mut self.mesh_path,
                    &mut out.dismiss_error,
                );
            });
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(Color32::from_gray(16)))
            .show(root, |ui| self.view_ui(ui, out));
        self.keys(root.ctx(), out);
    }

    /// The 3D view: the image, the camera under the hand, the before/after divider.
    fn view_ui(&mut self, ui: &mut egui::Ui, out: &mut UiOut) {
        let rect = ui.max_rect();
        out.view_rect = Some(rect);
        let resp = ui.allocate_rect(rect, egui::Sense::click_and_drag());
        let painter = ui.painter_at(rect);
        match self.view3d.texture_id() {
            Some(id) => {
                painter.image(
                    id,
                    rect,
                    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    Color32::WHITE,
                );
            }
            None => {
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    "preparing the head…",
                    egui::FontId::proportional(18.0),
                    Color32::GRAY,
                );
            }
        }
        let mut on_divider = false;
        if let Some(f) = self.controls.split {
            let x = rect.left() + f * rect.width();
            let hit = egui::Rect::from_x_y_ranges(x - 10.0..=x + 10.0, rect.y_range());
            let d = ui.interact(
                hit,
                ui.scope_id().with("before/after divider"),
                egui::Sense::drag(),
            );
            if d.hovered() || d.dragged() {
                ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
            }
            if d.dragged() {
                on_divider = true;
                if let Some(p) = d.interact_pointer_pos() {
                    self.controls.split =
                        Some(((p.x - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0));
                }
            }
            let white = Color32::from_white_alpha(220);
            painter.line_segment(
                [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
                egui::Stroke::new(2.0, white),
            );
            // A round knob with a small arrow each way.
            let c = egui::pos2(x, rect.center().y);
            painter.circle_filled(c, 12.0, white);
            for dir in [-1.0f32, 1.0] {
                painter.add(egui::Shape::convex_polygon(
                    vec![
                        c + egui::vec2(dir * 8.0, 0.0),
                        c + egui::vec2(dir * 3.0, -5.0),
                        c + egui::vec2(dir * 3.0, 5.0),
                    ],
                    Color32::from_gray(40),
                    egui::Stroke::NONE,
                ));
            }
            let label = |pos, align, text| {
                painter.text(pos, align, text, egui::FontId::proportional(15.0), white)
            };
            label(
                egui::pos2(x - 12.0, rect.top() + 10.0),
                egui::Align2::RIGHT_TOP,
                "before",
            );
            label(
                egui::pos2(x + 12.0, rect.top() + 10.0),
                egui::Align2::LEFT_TOP,
                "after",
            );
        }
        if !on_divider {
            let delta = resp.drag_delta();
            let shift = ui.input(|i| i.modifiers.shift);
            let primary = resp.dragged_by(egui::PointerButton::Primary);
            if primary && !shift {
                self.orbit.orbit(delta.x, delta.y);
            } else if resp.dragged_by(egui::PointerButton::Secondary)
                || resp.dragged_by(egui::PointerButton::Middle)
                || (primary && shift)
            {
                self.orbit.pan(delta.x, delta.y, rect.height());
            }
        }
        if resp.hovered() {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            if scroll != 0.0 {
                self.orbit.zoom((scroll / 300.0).exp());
            }
            if zoom != 1.0 {
                self.orbit.zoom(zoom);
            }
        }
        if resp.double_clicked() {
            out.actions.preset = Some(self.start_view);
        }
        out.handling_view = on_divider || resp.dragged();
        painter.text(
            rect.left_bottom() + egui::vec2(12.0, -10.0),
            egui::Align2::LEFT_BOTTOM,
            scalp::reports::sheet::time_label(self.controls.years),
            egui::FontId::proportional(20.0),
            Color32::from_white_alpha(230),
        );
        if let Some((what, done, total)) = &self.progress {
            // Over the view, not in the panel: the panel's widgets must not move under the
            // hand while a slider is dragged.
            let at = egui::Rect::from_min_size(
                rect.left_top() + egui::vec2(12.0, 12.0),
                egui::vec2(260.0, 24.0),
            );
            let frac = if *total > 0 {
                *done as f32 / *total as f32
            } else {
                0.0
            };
            let text = if *total > 1 {
                format!("{what} {done}/{total}")
            } else {
                what.clone()
            };
            ui.put(at, egui::ProgressBar::new(frac).text(text).animate(true));
        }
        if self.hovering_file {
            painter.rect_filled(rect, 0.0, Color32::from_black_alpha(150));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "drop an OBJ head scan to load it",
                egui::FontId::proportional(22.0),
                Color32::WHITE,
            );
        }
    }

    /// Keyboard shortcuts, unless a text field has the keyboard.
    fn keys(&mut self, ctx: &egui::Context, out: &mut UiOut) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let none = Modifiers::NONE;
        let presets = [
            (Key::Num1, ViewPreset::Front),
            (Key::Num2, ViewPreset::ThreeQuarter),
            (Key::Num3, ViewPreset::Top),
            (Key::Num4, ViewPreset::Back),
            (Key::Num5, ViewPreset::Left),
            (Key::Num6, ViewPreset::Right),
        ];
        ctx.input_mut(|i| {
            let a = &mut out.actions;
            a.screenshot |= i.consume_key(none, Key::F12);
            a.save_picture |= i.consume_key(none, Key::P);
            a.save_plan |= i.consume_key(Modifiers::COMMAND, Key::S);
            if i.consume_key(none, Key::R) || i.consume_key(none, Key::Home) {
                a.preset = Some(self.start_view);
            }
            for (k, p) in presets {
                if i.consume_key(none, k) {
                    a.preset = Some(p);
                }
            }
            out.toggle_split |= i.consume_key(none, Key::B);
        });
    }

    /// Draws egui (with the 3D view in it) into the window, and into an image when `capture`.
    fn paint(
        &mut self,
        prims: &[egui::ClippedPrimitive],
        mut textures: egui::TexturesDelta,
        ppp: f32,
        capture: bool,
    ) -> Result<Option<image::RgbaImage>> {
        let gpu = &self.engine.gpu;
        let (w, h) = (self.config.width, self.config.height);
        for (id, deltas) in &textures.set {
            for delta in deltas {
                self.egui_renderer
                    .update_texture(&gpu.device, &gpu.queue, *id, delta);
            }
        }
        use wgpu::CurrentSurfaceTexture as Got;
        let mut reconfigure = false;
        let frame = match self.surface.get_current_texture() {
            Got::Success(f) => Some(f),
            Got::Suboptimal(f) => {
                reconfigure = true;
                Some(f)
            }
            // Nothing to show into now; the next event brings another frame.
            Got::Timeout | Got::Occluded => None,
            Got::Outdated => {
                reconfigure = true;
                None
            }
            Got::Lost => {
                match self.instance.create_surface(self.window.clone()) {
                    Ok(s) => self.surface = s,
                    Err(e) => self.error = Some(format!("the window's surface is lost: {e}")),
                }
                reconfigure = true;
                None
            }
            Got::Validation => {
                self.error = Some("the window's surface refused a frame".into());
                None
            }
        };
        let shot = capture.then(|| {
            gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("window screenshot"),
                size: wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: self.config.format,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            })
        });
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [w, h],
            pixels_per_point: ppp,
        };
        let result = gpu.checked("drawing the window", || {
            let mut enc = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("window"),
                });
            let user = self.egui_renderer.update_buffers(
                &gpu.device,
                &gpu.queue,
                &mut enc,
                prims,
                &screen,
            );
            let targets = frame
                .iter()
                .map(|f| f.texture.create_view(&Default::default()))
                .chain(shot.iter().map(|t| t.create_view(&Default::default())));
            for view in targets {
                let mut pass = enc
                    .begin_render_pass(&wgpu::RenderPassDescriptor {
                        label: Some("egui"),
                        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                            view: &view,
                            depth_slice: None,
                            resolve_target: None,
                            ops: wgpu::Operations {
                                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                                store: wgpu::StoreOp::Store,
                            },
                        })],
                        depth_stencil_attachment: None,
                        timestamp_writes: None,
                        occlusion_query_set: None,
                        multiview_mask: None,
                    })
                    .forget_lifetime();
                self.egui_renderer.render(&mut pass, prims, &screen);
            }
            gpu.queue.submit(user.into_iter().chain([enc.finish()]));
            Ok(())
        });
        if let Some(f) = frame {
            self.window.pre_present_notify();
            gpu.queue.present(f);
        }
        for id in textures.free.drain() {
            self.egui_renderer.free_texture(&id);
        }
        if reconfigure {
            self.configure_surface();
            self.redraw_soon();
        }
        result?;
        shot.map(|t| read_window(&self.engine, &t, self.config.format))
            .transpose()
    }

    /// P: the 3D view alone, drawn again at full quality by the library's image path.
    fn save_picture(&mut self, camera: &scalp::camera::Camera, px: (u32, u32)) {
        let Some(scene) = &self.scene else { return };
        let (size, ssaa) = View3d::resolution(Quality::Full, px);
        let settings = view3d::frame_settings(
            &self.controls.settings,
            &scene.treatment,
            self.controls.split,
            self.path,
            size.0,
            ssaa,
        );
        let path = self.next_file("png");
        let result = self
            .engine
            .render_camera(
                &scene.head_gpu,
                Some((&scene.dots, &scene.aged)),
                camera,
                &settings,
                size,
            )
            .and_then(|img| write_png(&img, &path));
        match result {
            Ok(()) => self.note = Some(format!("wrote {}", path.display())),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Ctrl+S: the current settings as a plan file, written whole or not at all.
    fn save_plan(&mut self) {
        let plan = &self.controls.plan_to_save();
        let result = plan
            .validate()
            .and_then(|()| write_text(&self.save_plan, &plan.to_toml()));
        match result {
            Ok(()) => self.note = Some(format!("saved the plan to {}", self.save_plan.display())),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The first free `<out stem>-NNN.<ext>` beside `--out`.
    fn next_file(&self, ext: &str) -> PathBuf {
        let stem = self
            .out
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "scalp-view".into());
        let dir = self.out.parent().unwrap_or(Path::new(""));
        (1..10_000)
            .map(|i| dir.join(format!("{stem}-{i:03}.{ext}")))
            .find(|p| !p.exists())
            .unwrap_or_else(|| dir.join(format!("{stem}-last.{ext}")))
    }
}

/// Reads the window image back as RGBA.
fn read_window(
    engine: &Engine,
    tex: &wgpu::Texture,
    format: wgpu::TextureFormat,
) -> Result<image::RgbaImage> {
    use wgpu::TextureFormat as F;
    let bgra = match format {
        F::Rgba8Unorm | F::Rgba8UnormSrgb => false,
        F::Bgra8Unorm | F::Bgra8UnormSrgb => true,
        other => {
            return Err(ScalpError::invalid(
                "screenshot",
                format!("the window's format {other:?} cannot be saved as PNG"),
            ))
        }
    };
    let size = tex.size();
    let mut img = scalp::gpu::readback::read_texture(&engine.gpu, tex, size.width, size.height)?;
    for p in img.pixels_mut() {
        if bgra {
            p.0.swap(0, 2);
        }
        p.0[3] = 255;
    }
    Ok(img)
}

/// Writes `text` whole or not at all: to a temporary file beside `path`, then renamed.
fn write_text(path: &Path, text: &str) -> Result<()> {
    let err = |message: String| ScalpError::Output {
        path: path.to_path_buf(),
        message,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| err("not a file name".into()))?;
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let result = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e.to_string()));
    }
    Ok(())
}
