//! The library's modules form a DAG: no import circles between top-level modules (plan → the
//! stages' settings types → …), nor between the files of one folder module (reports::compare
//! and reports::metrics). Read from the sources, no build needed: every `crate::a::b` path and
//! `use crate::{a, b}` group, and inside a folder `super::x`, outside `#[cfg(test)]` code and
//! comments. The stages a plan is resolved into must not lean on the plan: it leans on
//! their settings types.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A node: a top-level module, or one file (or sub-folder) of a folder module ("reports::metrics").
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The library's top-level modules, as `lib.rs` declares them (main.rs, cli/ and viewer/ are the
/// binary's).
fn library_modules(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l
                .strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))?;
            Some(rest.trim_end_matches(';').trim().to_string())
        })
        .collect()
}

/// Every `.rs` file of module `m`: `src/m.rs` or everything under `src/m/`.
fn files_of(src: &Path, m: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    let file = src.join(format!("{m}.rs"));
    if file.exists() {
        out.push(file);
    }
    let dir = src.join(m);
    if dir.is_dir() {
        walk(&dir, &mut out);
    }
    out
}

/// The code of a file without its comments and its `#[cfg(test)]` part (tests may use anything).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifier paths after `prefix` in `code` ("crate::a::b" → ["a", "b"]); a `{a, b::c}`
/// group gives one path per member.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|p| {
                p.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|p| !p.is_empty())
            .collect()
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for member in group[..end].split(',') {
                let p = ident(member.trim());
                if !p.is_empty() {
                    out.push(p);
                }
            }
        } else {
            let p = ident(rest);
            if !p.is_empty() {
                out.push(p);
            }
        }
    }
    out
}

/// The submodules of folder module `m` (its files and folders, `mod.rs` aside).
fn submodules(src: &Path, m: &str) -> BTreeSet<String> {
    let dir = src.join(m);
    if !dir.is_dir() {
        return BTreeSet::new();
    }
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || p.extension().is_some_and(|x| x == "rs")).then_some(stem)
        })
        .filter(|s| s != "mod")
        .collect()
}

/// For a folder module `m`, the items its `mod.rs` re-exports from a submodule (`pub use
/// layout::Layout;` → Layout → layout), so a path through the re-export counts as a path to
/// the file that defines the item.
fn reexports(src: &Path, m: &str, subs: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(src.join(m).join("mod.rs")) else {
        return out;
    };
    for stmt in text.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_start_matches("self::");
        let Some((child, items)) = rest.split_once("::") else {
            continue;
        };
        if !subs.contains(child) {
            continue;
        }
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = item.split(" as ").last().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_string(), child.to_string());
            }
        }
    }
    out
}

/// The module graph at two levels: between top-level modules, and between files (a folder
/// module's files are nodes of their own, `reports::metrics`; its `mod.rs` is the node
/// `reports`, whose declarations of its own files are not imports).
fn graphs(src: &Path) -> (Graph, Graph) {
    let modules = library_modules(src);
    let (mut top, mut files) = (Graph::new(), Graph::new());
    for m in &modules {
        top.entry(m.clone()).or_default();
        for file in files_of(src, m) {
            let code = code_of(&file);
            // The submodule this file belongs to (None: the folder's mod.rs, or a plain file).
            let own = file
                .strip_prefix(src.join(m))
                .ok()
                .and_then(|r| r.components().next())
                .and_then(|c| c.as_os_str().to_str())
                .map(|s| s.trim_end_matches(".rs").to_string())
                .filter(|s| s != "mod");
            let node = match &own {
                Some(sub) => format!("{m}::{sub}"),
                None => m.clone(),
            };
            // The node a path into module `a` lands on.
            let target = |a: &str, rest: &[String]| -> String {
                let subs_a = submodules(src, a);
                match rest.first() {
                    Some(b) if subs_a.contains(b) => format!("{a}::{b}"),
                    Some(b) => match reexports(src, a, &subs_a).get(b) {
                        Some(child) => format!("{a}::{child}"),
                        None => a.to_string(),
                    },
                    None => a.to_string(),
                }
            };
            let mut edges = BTreeSet::new();
            for p in paths_after(&code, "crate::") {
                if !modules.contains(&p[0]) {
                    continue;
                }
                if p[0] != *m {
                    top.get_mut(m).unwrap().insert(p[0].clone());
                }
                edges.insert(target(&p[0], &p[1..]));
            }
            if own.is_some() {
                for p in paths_after(&code, "super::") {
                    edges.insert(target(m, &p));
                }
            }
            // A folder's mod.rs declares and re-exports its own files: not an import.
            edges.retain(|e| *e != node && !(own.is_none() && e.starts_with(&format!("{m}::"))));
            files.entry(node).or_default().extend(edges);
        }
    }
    (top, files)
}

/// A cycle of `g`, if it has one (depth-first search).
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|s| s == next).unwrap();
                    let mut cycle = stack[i..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, g, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_checker_finds_a_circle() {
    let mut g = Graph::new();
    for (a, b) in [
        ("plan", "zone"),
        ("zone", "technique"),
        ("technique", "plan"),
    ] {
        g.entry(a.into()).or_default().insert(b.into());
    }
    g.entry("dots".into()).or_default().insert("zone".into());
    let c = find_cycle(&g).expect("a cycle");
    assert_eq!(c.first(), c.last());
    assert_eq!(c.len(), 4, "{c:?}");
    g.get_mut("technique").unwrap().clear();
    assert_eq!(find_cycle(&g), None);
    let code = "use crate::{plan::Plan, zone};\nlet x = crate::dots::reference::f();";
    assert_eq!(
        paths_after(code, "crate::"),
        vec![
            vec!["plan".to_string(), "Plan".to_string()],
            vec!["zone".to_string()],
            vec!["dots".to_string(), "reference".to_string(), "f".to_string()],
        ]
    );
}

#[test]
fn modules_import_each_other_without_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (mut top, files) = graphs(&src);
    assert!(top["plan"].contains("zone"), "the checker reads no imports");
    // Between files: no circle at all (this is what catches reports::compare ↔ metrics).
    if let Some(c) = find_cycle(&files) {
        panic!(
            "import circle between files: {}\nthe graph: {files:#?}",
            c.join(" → ")
        );
    }
    // Between top-level modules: none either, but for the shader assembly: each stage's GPU
    // pass asks `shaders` for its WGSL, and the WGSL prelude is written from every stage's
    // constants, so `shaders` sits between a stage's numbers and its pass (a DAG between files,
    // checked above).
    if let Some(s) = top.get_mut("shaders") {
        s.clear();
    }
    if let Some(c) = find_cycle(&top) {
        panic!(
            "import circle between top-level modules: {}\nthe graph: {top:#?}",
            c.join(" → ")
        );
    }
}
