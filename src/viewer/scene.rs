//! What is on screen: a head, its treatment and dots on the GPU, aged to a time; and the
//! worker thread that builds new ones (loading a scan, ray casting its sun exposure,
//! generating dots) while the window keeps answering.
//!
//! The viewer never tracks "what changed" per control: it compares what the user asks for
//! with what the scene was made from, and does the least that closes the gap:
//! - the time or the plan's ageing facts differ → age again (a fraction of a millisecond a
//!   thousand dots, on the window's thread);
//! - anything else in the plan differs → generate again, on the worker.
use scalp::ageing::age::AgedDots;
use scalp::dots::generate::GpuDots;
use scalp::head::obj::LoadOptions;
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, SplatPath};
use scalp::{engine::Engine, treatment::Treatment};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

pub struct Scene {
    pub head: Arc<Head>,
    pub head_gpu: Arc<HeadGpu>,
    pub treatment: Treatment,
    pub dots: GpuDots,
    pub aged: AgedDots,
    /// The plan this scene was asked for (`treatment.plan` is the same, kept apart so the
    /// comparison never depends on what the library does with it).
    pub requested: Plan,
    /// The time `aged` holds; None until aged.
    pub aged_years: Option<f32>,
    /// Bumped whenever what a frame shows changes (new dots, new ageing).
    pub version: u64,
    pub generate_s: f64,
}

impl Scene {
    pub fn new(engine: &Engine, b: Built) -> Scene {
        let aged = engine.ager.allocate(&engine.gpu, &b.dots);
        Scene {
            head: b.head,
            head_gpu: b.head_gpu,
            treatment: b.treatment,
            dots: b.dots,
            aged,
            requested: b.requested,
            aged_years: None,
            version: 0,
            generate_s: b.generate_s,
        }
    }

    /// Whether `plan` needs other dots than these: anything but the ageing facts differs.
    pub fn needs_generation(&self, plan: &Plan) -> bool {
        let mut p = plan.clone();
        p.ageing = self.requested.ageing.clone();
        // Skin and hair on/off are drawn from the render settings (hairs are always grown).
        p.skin = self.requested.skin.clone();
        p.hair.enabled = self.requested.hair.enabled;
        p != self.requested
    }

    /// Ages the dots to `years` under `plan`'s ageing facts when either differs from what
    /// `aged` holds; returns whether it did.
    pub fn sync_ageing(&mut self, engine: &Engine, plan: &Plan, years: f32) -> scalp::Result<bool> {
        let facts_changed = plan.ageing != self.requested.ageing;
        if !facts_changed && self.aged_years == Some(years) {
            return Ok(false);
        }
        if facts_changed {
            self.requested.ageing = plan.ageing.clone();
            self.treatment.plan.ageing = plan.ageing.clone();
        }
        let years = years.clamp(0.0, 30.0);
        engine.ager.age_into(
            &engine.gpu,
            &self.dots,
            &mut self.aged,
            self.treatment.age_params(years),
        )?;
        self.aged_years = Some(years);
        self.version += 1;
        Ok(true)
    }
}

/// Where the head of a job comes from.
pub enum HeadSource {
    /// The head on screen (its GPU buffers are reused).
    Keep(Arc<Head>, Arc<HeadGpu>),
    /// The head given at start-up.
    Given(Arc<Head>),
    /// A file the user dropped or named.
    Load(PathBuf, LoadOptions),
}

pub struct Job {
    pub head: HeadSource,
    pub plan: Plan,
    /// Take the splatting path `--path auto` takes on this adapter (once per session).
    pub choose_path: bool,
}

/// A finished job.
pub struct Built {
    pub head: Arc<Head>,
    pub head_gpu: Arc<HeadGpu>,
    pub treatment: Treatment,
    pub dots: GpuDots,
    pub requested: Plan,
    pub path: Option<SplatPath>,
    pub generate_s: f64,
}

pub enum WorkerEvent {
    /// (what, done, total) of the job under way.
    Progress(String, usize, usize),
    /// The job's result; a load that failed says which file.
    Done(scalp::Result<Box<Built>>),
}

/// The thread that builds scenes. One job at a time; the viewer holds back newer requests
/// until the current one is done and then asks for the latest, so a dragged slider never
/// queues up stale work.
pub struct Worker {
    /// None only while dropping.
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    busy: bool,
}

impl Worker {
    pub fn spawn(engine: Arc<Engine>, tell: impl Fn(WorkerEvent) + Send + 'static) -> Worker {
        let (jobs, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("scene builder".into())
            .spawn(move || {
                for job in rx {
                    let result = build(&engine, job, &tell).map(Box::new);
                    tell(WorkerEvent::Done(result));
                }
            });
        let thread = match spawned {
            Ok(t) => Some(t),
            Err(e) => {
                log::error!("cannot start the scene builder thread: {e}");
                None
            }
        };
        Worker {
            jobs: Some(jobs),
            thread,
            busy: false,
        }
    }

    pub fn busy(&self) -> bool {
        self.busy
    }

    /// Starts `job`; false (and nothing started) when a job is under way or the thread is gone.
    pub fn start(&mut self, job: Job) -> bool {
        if self.busy {
            return false;
        }
        self.busy = self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        self.busy
    }

    /// The worker reported [`WorkerEvent::Done`].
    pub fn finished(&mut self) {
        self.busy = false;
    }
}

impl Drop for Worker {
    /// Ends the thread and waits for it (after its job, if one is under way), so it lets go of
    /// the device before the window and the driver are torn down: Mesa's GL driver corrupts
    /// its heap when a context outlives its surface at exit.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn build(engine: &Engine, job: Job, tell: &dyn Fn(WorkerEvent)) -> scalp::Result<Built> {
    let say = |what: &str| tell(WorkerEvent::Progress(what.to_string(), 0, 0));
    job.plan.validate()?;
    let (head, head_gpu) = match job.head {
        HeadSource::Keep(h, g) => (h, Some(g)),
        HeadSource::Given(h) => (h, None),
        HeadSource::Load(path, opts) => {
            say(&format!("loading {}", path.display()));
            let head = Head::load(&path, &opts)?;
            (Arc::new(head), None)
        }
    };
    // A new head's coarse triangles for the previews (~0.4 s for the built-in head's 103 k),
    // made beside the rest of the work.
    let coarse = head_gpu.is_none().then(|| {
        let head = head.clone();
        std::thread::spawn(move || scalp::head::decimate::coarse_triangles(&head.mesh))
    });
    if head_gpu.is_none() {
        // Seconds for a new mesh (ray cast once per mesh and latitude, then cached).
        say("sun exposure of the head");
    }
    let treatment = Treatment::new(&head, &job.plan, None)?;
    let head_gpu = match head_gpu {
        Some(g) => g,
        None => {
            let g = engine.gpu.checked("uploading the head", || {
                Ok(HeadGpu::new(&engine.gpu, &head))
            })?;
            g.set_exposure(&engine.gpu, &treatment.exposure);
            Arc::new(g)
        }
    };
    // Grow the client's hairs whatever the plan says, so the panel's "existing hair" switch
    // is instant; the head's buffers are shared handles, so the copy is cheap.
    let head_gpu = {
        let mut g = (*head_gpu).clone();
        let hair = scalp::hair::HairSettings {
            enabled: true,
            ..treatment.plan.hair.clone()
        };
        let hairs = treatment.hairs_as(&head, &hair);
        g.set_hairs(&engine.gpu, &hairs, hair.albedo());
        Arc::new(g)
    };
    let chunks = treatment.layout.chunks.len();
    tell(WorkerEvent::Progress("generating dots".into(), 0, chunks));
    let t0 = Instant::now();
    let dots = engine.generate_with_progress(&head, &treatment, &|done, total| {
        tell(WorkerEvent::Progress("generating dots".into(), done, total))
    })?;
    let generate_s = t0.elapsed().as_secs_f64();
    let head_gpu = match coarse.map(|t| t.join()) {
        Some(Ok(triangles)) => {
            let mut g = (*head_gpu).clone();
            engine
                .gpu
                .checked("uploading the head's coarse triangles", || {
                    g.set_coarse(&engine.gpu, &triangles);
                    Ok(())
                })?;
            Arc::new(g)
        }
        // Previews then draw every triangle: slower, never wrong.
        Some(Err(_)) => {
            log::warn!("the head's coarse triangles could not be made");
            head_gpu
        }
        None => head_gpu,
    };
    // A rule of the adapter, not a timing: the picture must not depend on the machine's load.
    let path = job.choose_path.then(|| engine.auto_path());
    Ok(Built {
        head,
        head_gpu,
        treatment,
        dots,
        requested: job.plan,
        path,
        generate_s,
    })
}
