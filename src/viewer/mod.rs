//! `scalp view`: the consultation-room viewer. A winit window shows the library's render of
//! the head (src/viewer/view3d.rs) under an egui side panel (panel.rs); the camera orbits with
//! damping (orbit.rs); new heads and plans are built on a worker thread (scene.rs). The library
//! stays window-free: everything about windows lives here, in the binary.
//!
//! Frames are drawn only when something changed (input, the camera still gliding, a finished
//! job, egui's own animations); while the hand moves on a CPU driver the view is drawn small
//! and refined when it stops.
mod files;
mod frame;
mod orbit;
mod panel;
pub mod photo;
mod scene;
pub mod script;
mod ui;
mod view3d;
mod window;

use orbit::Orbit;
use panel::{Actions, Controls};
use scalp::camera::ViewPreset;
use scalp::engine::Engine;
use scalp::head::obj::LoadOptions;
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::render::SplatPath;
use scalp::{Result, ScalpError};
use scene::{HeadSource, Job, Scene, Worker, WorkerEvent};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use view3d::View3d;
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
    /// Actions to play instead of a hand (`--script`); the viewer draws continuously.
    pub script: Option<script::Script>,
    /// Landmarks to pick on a photo (`--photo`): the view shows the photo instead of the head.
    pub photo: Option<photo::Picker>,
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
    let event_loop = EventLoop::<Tagged>::with_user_event()
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

/// A worker's event with the device generation it was built on: after a recovery, what the
/// old worker still says about the old device is not for the new one.
pub struct Tagged(u32, WorkerEvent);

struct App {
    opts: Option<Options>,
    proxy: EventLoopProxy<Tagged>,
    viewer: Option<Viewer>,
    result: Result<()>,
}

impl App {
    /// Leaves the event loop when the viewer has decided to (screenshot written, or failed);
    /// makes a new device when the old one is gone.
    fn check_exit(&mut self, el: &ActiveEventLoop) {
        if let Some(v) = &mut self.viewer {
            if let Some(r) = v.exit.take() {
                v.print_counts();
                self.result = r;
                el.exit();
                return;
            }
        }
        if self.viewer.as_ref().is_some_and(|v| v.lost.is_some()) {
            if let Some(v) = self.viewer.take() {
                match v.recover(el, self.proxy.clone()) {
                    Ok(v) => self.viewer = Some(v),
                    Err(e) => {
                        self.result = Err(e);
                        el.exit();
                    }
                }
            }
        }
    }
}

impl ApplicationHandler<Tagged> for App {
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

    fn user_event(&mut self, el: &ActiveEventLoop, Tagged(generation, event): Tagged) {
        if let Some(v) = &mut self.viewer {
            if generation == v.counts.recoveries {
                v.worker_event(event);
            }
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
    /// Why the GPU device is gone (lost, or out of memory): the event loop makes a new one.
    lost: Option<String>,
    /// The adapter asked for (--adapter), asked again for a new device.
    want_adapter: Option<String>,
    /// The file being loaded by the worker, loaded again if the device is lost meanwhile.
    loading: Option<PathBuf>,
    script: Option<script::Script>,
    /// A window screenshot the script asked for this frame.
    script_capture: Option<PathBuf>,
    counts: Counts,
    photo: Option<photo::Picker>,
}

/// Frames drawn and devices made, printed when the viewer ends (a soak test reads them).
#[derive(Clone, Copy, Default)]
struct Counts {
    /// Frames the viewer painted.
    frames: u64,
    /// Frames that reached the window (a surface texture was given and presented).
    shown: u64,
    /// New devices made after one was lost: also the generation of the worker's events.
    recoveries: u32,
}

/// What the user has loaded and set: everything that must outlive a GPU device.
struct Kept {
    window: Arc<Window>,
    head: Arc<Head>,
    orbit: Orbit,
    controls: Controls,
    pending_load: Option<PathBuf>,
    mesh_path: String,
    load: LoadOptions,
    start_view: ViewPreset,
    view_aspect: f32,
    screenshot_after: Option<u32>,
    ready_frames: u32,
    out: PathBuf,
    save_plan: PathBuf,
    note: Option<String>,
    error: Option<String>,
    want_adapter: Option<String>,
    script: Option<script::Script>,
    counts: Counts,
    photo: Option<photo::Picker>,
}

impl Viewer {
    fn open(el: &ActiveEventLoop, o: Options, proxy: EventLoopProxy<Tagged>) -> Result<Viewer> {
        let attrs = Window::default_attributes()
            .with_title("scalp — consultation view")
            .with_inner_size(winit::dpi::LogicalSize::new(o.size.0, o.size.1));
        let window = Arc::new(el.create_window(attrs).map_err(|e| {
            ScalpError::invalid("scalp view", format!("cannot open a window: {e}"))
        })?);
        // Until the first frame says, guess the view as the window less the panel.
        let aspect = (o.size.0 as f32 - PANEL_WIDTH).max(100.0) / o.size.1.max(1) as f32;
        let orbit = Orbit::new(scalp::render::frame_outline(&o.head), o.view, aspect);
        let years = o.years.unwrap_or_else(|| o.plan.healed_years());
        let mut controls = Controls::new(o.plan, years);
        controls.settings.dots = o.dots;
        controls.split = o.split;
        controls.settings.light = o.light;
        let photo = o.photo.map(|mut p| {
            p.refit(&o.head);
            p
        });
        let kept = Kept {
            window,
            head: Arc::new(o.head),
            orbit,
            controls,
            pending_load: None,
            mesh_path: String::new(),
            load: o.load,
            start_view: o.view,
            view_aspect: aspect,
            screenshot_after: o.screenshot_after,
            ready_frames: 0,
            out: o.out,
            save_plan: o.save_plan,
            note: None,
            error: None,
            want_adapter: o.adapter,
            script: o.script,
            counts: Counts::default(),
            photo,
        };
        Viewer::build(el, kept, proxy)
    }

    /// A new device, engine and everything on them for what the user had: the same window,
    /// head (rebuilt from the head on the CPU), plan, camera and time. The old GPU objects
    /// are let go first, in the order the fields drop.
    fn recover(self, el: &ActiveEventLoop, proxy: EventLoopProxy<Tagged>) -> Result<Viewer> {
        let why = self.lost.clone().unwrap_or_default();
        log::error!("{why}; making a new GPU device");
        let Viewer {
            worker,
            scene,
            view3d,
            egui_renderer,
            egui_state,
            egui_ctx,
            surface,
            config: _,
            engine,
            instance,
            window,
            orbit,
            controls,
            start_head,
            pending_load,
            mesh_path,
            load,
            start_view,
            view_aspect,
            screenshot_after,
            ready_frames,
            out,
            save_plan,
            want_adapter,
            loading,
            script,
            mut counts,
            error,
            mut photo,
            ..
        } = self;
        let head = scene
            .as_ref()
            .map(|s| s.head.clone())
            .or(start_head)
            .expect("a viewer always has a head: the start head until a scene replaces it");
        drop(worker);
        drop(scene);
        drop(view3d);
        drop(egui_renderer);
        drop((egui_state, egui_ctx));
        drop(surface);
        drop(engine);
        drop(instance);
        counts.recoveries += 1;
        let kept = Kept {
            window,
            head,
            orbit,
            controls,
            pending_load: pending_load.or(loading),
            mesh_path,
            load,
            start_view,
            view_aspect,
            screenshot_after,
            ready_frames,
            out,
            save_plan,
            note: Some(format!(
                "{why}: made a new device ({} so far); plan, head, camera and time kept",
                counts.recoveries
            )),
            error,
            want_adapter,
            script,
            counts,
            photo: photo.take().map(|mut p| {
                p.forget_texture();
                p
            }),
        };
        Viewer::build(el, kept, proxy)
    }

    /// The GPU side of the viewer (device, surface, engine, egui's renderer, the worker) for
    /// `k`, the user's side.
    fn build(el: &ActiveEventLoop, k: Kept, proxy: EventLoopProxy<Tagged>) -> Result<Viewer> {
        let window = k.window;
        let (instance, surface, gpu) = window::open_gpu(el, &window, k.want_adapter.as_deref())?;
        let adapter = gpu.describe();
        let size = window.inner_size();
        let caps = surface.get_capabilities(&gpu.adapter);
        log::debug!(
            "surface: formats {:?}, present modes {:?}",
            caps.formats,
            caps.present_modes
        );
        let format = window::surface_format(&caps.formats).ok_or_else(|| ScalpError::Gpu {
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
        let generation = k.counts.recoveries;
        let worker = Worker::spawn(engine.clone(), move |e| {
            // Fails only when the window has closed: nothing left to tell.
            let _ = proxy.send_event(Tagged(generation, e));
        });
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
            orbit: k.orbit,
            controls: k.controls,
            scene: None,
            worker,
            start_head: Some(k.head),
            pending_load: k.pending_load,
            failed_plan: None,
            running: None,
            path: SplatPath::Raster,
            progress: None,
            error: k.error,
            note: k.note,
            hovering_file: false,
            mesh_path: k.mesh_path,
            load: k.load,
            start_view: k.start_view,
            view_aspect: k.view_aspect,
            adapter,
            last_frame: Instant::now(),
            repaint_at: None,
            screenshot_after: k.screenshot_after,
            ready_frames: k.ready_frames,
            out: k.out,
            save_plan: k.save_plan,
            exit: None,
            lost: None,
            want_adapter: k.want_adapter,
            loading: None,
            script: k.script,
            script_capture: None,
            counts: k.counts,
            photo: k.photo,
        };
        v.reconcile();
        v.redraw_soon();
        Ok(v)
    }

    /// The head on screen, or the one given at start until a scene exists.
    fn head(&self) -> Arc<Head> {
        self.scene
            .as_ref()
            .map(|s| s.head.clone())
            .or_else(|| self.start_head.clone())
            .expect("a viewer always has a head: the start head until a scene replaces it")
    }

    /// Ends the run's output with what a soak test checks: frames painted and shown, devices
    /// made again.
    fn print_counts(&self) {
        if self.script.is_some() {
            println!(
                "frames: {} painted, {} shown in the window, {} device recoveries",
                self.counts.frames, self.counts.shown, self.counts.recoveries
            );
        }
    }

    /// Whether the GPU is gone: the device-lost callback said so, or `message` (an error
    /// just caught) is an allocation the device could not make. Either way the event loop
    /// makes a new device and rebuilds the scene.
    fn check_lost(&mut self, error: Option<&ScalpError>) -> bool {
        if let Some(why) = self.engine.gpu.lost() {
            self.lost = Some(format!("the GPU device was lost ({why})"));
        } else if let Some(e @ ScalpError::GpuOutOfMemory { .. }) = error {
            self.lost = Some(e.to_string());
        }
        self.lost.is_some()
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
                self.drop_file(path);
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
                self.loading = None;
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
                                .set_outline(built.head_gpu.outline.clone(), self.view_aspect);
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
    fn fail(&mut self, error: ScalpError) {
        let message = error.to_string();
        if self.check_lost(Some(&error)) {
            log::warn!("{message}");
            return;
        }
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
                self.loading = match &job.head {
                    HeadSource::Load(path, _) => Some(path.clone()),
                    _ => None,
                };
                self.running = Some((job.plan.clone(), load));
                if !self.worker.start(job) {
                    self.running = None;
                    self.progress = None;
                    self.fail(ScalpError::invalid(
                        "the viewer",
                        "the thread that builds scenes has stopped; restart it",
                    ));
                }
            }
        }
        if let Some(scene) = &mut self.scene {
            if let Err(e) =
                scene.sync_ageing(&self.engine, &self.controls.plan, self.controls.years)
            {
                self.fail(e);
            }
        }
    }

    /// A file dropped on the window: a plan (.toml) replaces the treatment, keeping the
    /// head, camera, time and what is shown; anything else is loaded as a scan. A file that
    /// cannot be used is said in the panel and changes nothing.
    fn drop_file(&mut self, path: PathBuf) {
        let is_plan = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if !is_plan {
            self.pending_load = Some(path);
            self.reconcile();
            return;
        }
        match Plan::load(&path) {
            Ok(plan) => {
                let years = self.controls.years;
                let shown = self.controls.settings.clone();
                let split = self.controls.split;
                self.controls = Controls::new(plan, years);
                self.controls.settings.light = shown.light;
                self.controls.settings.dots = shown.dots;
                self.controls.settings.show = shown.show;
                self.controls.split = split;
                self.note = Some(format!("loaded plan {}", path.display()));
                self.error = None;
                self.reconcile();
            }
            Err(e) => self.error = Some(format!("{}: {e}", path.display())),
        }
    }

    fn configure_surface(&mut self) {
        let gpu = &self.engine.gpu;
        if let Err(e) = gpu.checked("resizing the window", || {
            self.surface.configure(&gpu.device, &self.config);
            Ok(())
        }) {
            self.fail(e);
        }
    }
}
