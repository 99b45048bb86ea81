//! `scalp view --script FILE`: the viewer driven by a list of actions instead of a hand, for
//! soak tests and for reproducing a session. Actions are paced by frames, not by time: each
//! takes effect at the start of a frame, and the viewer draws continuously while a script
//! runs, so the same script does the same things on a fast and a slow machine.
//!
//! One action a line; `#` starts a comment:
//!
//! ```text
//! frames N            draw N frames doing nothing else
//! settle              draw frames until no scene is being built and the head is on screen
//! orbit DX DY         turn the camera as a drag of DX, DY points would
//! years Y             the time slider at Y years after the first session
//! density V | dot-size MM | depth MM | shade S     a treatment slider
//! error NAME SEVERITY a technique error's slider (names as --error), 0 = off
//! drop FILE           a file dropped on the window (a scan or a plan)
//! expect-error        an error must be showing now (a bad file was refused); dismisses it
//! no-error            no error may be showing now
//! lose-device         destroys the GPU device, as a driver reset would lose it
//! photo-click X Y     (--photo) the prompted landmark placed at photo pixel X, Y
//! photo-skip          (--photo) the prompted landmark is not in the photo
//! photo-undo          (--photo) takes back the last landmark
//! photo-save          (--photo) saves the points file
//! out-of-memory       the next GPU step (this frame's drawing) fails as a failed allocation would
//! state               prints one line: frames, head, plan, camera, time, device recoveries
//! memory              prints the resident memory (VmRSS)
//! screenshot FILE     writes the window to FILE (PNG)
//! quit                ends the viewer (exit status 0)
//! ```
use scalp::technique::TechniqueError;
use scalp::{Result, ScalpError};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Frames(u32),
    Settle,
    Orbit(f32, f32),
    Years(f32),
    Density(f32),
    DotSize(f32),
    Depth(f32),
    Shade(f32),
    Error(TechniqueError, f32),
    Drop(PathBuf),
    ExpectError,
    NoError,
    LoseDevice,
    OutOfMemory,
    PhotoClick(f64, f64),
    PhotoSkip,
    PhotoUndo,
    PhotoSave,
    State,
    Memory,
    Screenshot(PathBuf),
    Quit,
}

/// A parsed script and how far it has run.
#[derive(Clone, Debug)]
pub struct Script {
    /// Each action with its line number in the file (for messages).
    actions: Vec<(usize, Action)>,
    next: usize,
    /// Frames left of a `frames N`.
    waiting: u32,
    /// Frames spent in the current `settle`: past SETTLE_FRAMES the script fails.
    settling: u32,
}

/// A `settle` that has not settled after this many frames has hung.
const SETTLE_FRAMES: u32 = 20_000;

impl Script {
    pub fn load(path: &Path) -> Result<Script> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScalpError::invalid("--script", format!("cannot read {}: {e}", path.display()))
        })?;
        Script::parse(&text)
            .map_err(|e| ScalpError::invalid("--script", format!("{}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> std::result::Result<Script, String> {
        let mut actions = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let n = i + 1;
            let action = parse_line(line).map_err(|e| format!("line {n}: {e}: \"{line}\""))?;
            actions.push((n, action));
        }
        Ok(Script {
            actions,
            next: 0,
            waiting: 0,
            settling: 0,
        })
    }
}

fn parse_line(line: &str) -> std::result::Result<Action, String> {
    let mut words = line.split_whitespace();
    let verb = words.next().unwrap_or_default();
    let rest: Vec<&str> = words.collect();
    let num = |i: usize, lo: f32, hi: f32| -> std::result::Result<f32, String> {
        let w = rest
            .get(i)
            .ok_or_else(|| format!("{verb} needs {} number(s)", i + 1))?;
        let v: f32 = w.parse().map_err(|_| format!("{w} is not a number"))?;
        if !(lo..=hi).contains(&v) {
            return Err(format!("{v} is outside {lo}–{hi}"));
        }
        Ok(v)
    };
    let path = || -> std::result::Result<PathBuf, String> {
        if rest.is_empty() {
            return Err(format!("{verb} needs a file"));
        }
        Ok(PathBuf::from(rest.join(" ")))
    };
    Ok(match verb {
        "frames" => Action::Frames(num(0, 1.0, 1e6)? as u32),
        "settle" => Action::Settle,
        "orbit" => Action::Orbit(num(0, -1e4, 1e4)?, num(1, -1e4, 1e4)?),
        "years" => Action::Years(num(0, 0.0, 30.0)?),
        "density" => Action::Density(num(0, 10.0, 300.0)?),
        "dot-size" => Action::DotSize(num(0, 0.05, 1.0)?),
        "depth" => Action::Depth(num(0, 0.02, 2.5)?),
        "shade" => Action::Shade(num(0, 1.0, 10.0)?),
        "error" => {
            let name = rest.first().ok_or("error needs a name and a severity")?;
            let e = TechniqueError::from_name(name)
                .ok_or_else(|| format!("no technique error is called {name}"))?;
            Action::Error(e, num(1, 0.0, 1.0)?)
        }
        "drop" => Action::Drop(path()?),
        "expect-error" => Action::ExpectError,
        "no-error" => Action::NoError,
        "lose-device" => Action::LoseDevice,
        "out-of-memory" => Action::OutOfMemory,
        "photo-click" => Action::PhotoClick(num(0, -1e6, 1e6)? as f64, num(1, -1e6, 1e6)? as f64),
        "photo-skip" => Action::PhotoSkip,
        "photo-undo" => Action::PhotoUndo,
        "photo-save" => Action::PhotoSave,
        "state" => Action::State,
        "memory" => Action::Memory,
        "screenshot" => Action::Screenshot(path()?),
        "quit" => Action::Quit,
        other => return Err(format!("unknown action {other}")),
    })
}

/// What the viewer must do for the script this frame.
pub enum Next {
    /// Draw this frame; no action due.
    Wait,
    /// Apply this action (then ask again: several may be due in one frame).
    Do(usize, Action),
    /// The script has hung (a settle that never settled).
    Stuck(String),
}

impl Script {
    /// The next action due, given whether the viewer is settled (nothing being built, the
    /// head drawn). Frame-consuming actions (`frames`, `settle`) return Wait while they last.
    pub fn next(&mut self, settled: bool) -> Next {
        if self.waiting > 0 {
            self.waiting -= 1;
            return Next::Wait;
        }
        let Some((line, action)) = self.actions.get(self.next).cloned() else {
            return Next::Wait;
        };
        match action {
            Action::Frames(n) => {
                self.next += 1;
                self.waiting = n - 1;
                Next::Wait
            }
            Action::Settle if !settled => {
                self.settling += 1;
                if self.settling > SETTLE_FRAMES {
                    return Next::Stuck(format!(
                        "line {line}: settle: still building after {SETTLE_FRAMES} frames"
                    ));
                }
                Next::Wait
            }
            Action::Settle => {
                self.settling = 0;
                self.next += 1;
                Next::Wait
            }
            a => {
                self.next += 1;
                Next::Do(line, a)
            }
        }
    }
}

/// This process's resident memory, kB (VmRSS of /proc/self/status), where Linux says it.
pub fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// How many memory mappings this process has (lines of /proc/self/maps): a driver that keeps
/// compiling shaders it never frees shows here first, as small executable mappings.
pub fn mapping_count() -> Option<usize> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    Some(maps.lines().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_parse_and_bad_lines_name_their_number() {
        let s = Script::parse(
            "# soak\nframes 3\nsettle\norbit 10 -5\nerror oversized 0.5\ndrop a b.obj\nquit\n",
        )
        .unwrap();
        let acts: Vec<_> = s.actions.iter().map(|(_, a)| a.clone()).collect();
        assert_eq!(acts[0], Action::Frames(3));
        assert_eq!(acts[2], Action::Orbit(10.0, -5.0));
        assert_eq!(acts[4], Action::Drop("a b.obj".into()));
        assert_eq!(acts.len(), 6);
        let e = Script::parse("frames 2\nspin 3\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("spin"), "{e}");
        let e = Script::parse("years 99\n").unwrap_err();
        assert!(e.contains("line 1") && e.contains("outside"), "{e}");
        let e = Script::parse("error nonsense 1\n").unwrap_err();
        assert!(e.contains("nonsense"), "{e}");
    }

    #[test]
    fn frames_wait_and_settle_holds_until_settled() {
        let mut s = Script::parse("frames 2\nsettle\nquit\n").unwrap();
        assert!(matches!(s.next(false), Next::Wait));
        assert!(matches!(s.next(false), Next::Wait));
        // Now at settle: holds while not settled.
        assert!(matches!(s.next(false), Next::Wait));
        assert!(matches!(s.next(false), Next::Wait));
        assert!(matches!(s.next(true), Next::Wait));
        assert!(matches!(s.next(false), Next::Do(3, Action::Quit)));
        assert!(matches!(s.next(false), Next::Wait));
    }
}
