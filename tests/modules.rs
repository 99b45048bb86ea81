//! The library's modules form a DAG: no import circles between top-level modules (plan → the
//! stages' settings types → …), nor between the files of one folder module (reports::compare
//! and reports::metrics). Read from the sources, no build needed: every `crate::a::b` path and
//! `use crate::{a, b}` group, and inside a folder `super::x`, outside `#[cfg(test)]` code and
//! comments.
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

/// The top-level graph and, per folder module, the graph of its submodules.
fn graphs(src: &Path) -> (Graph, BTreeMap<String, Graph>) {
    let modules = library_modules(src);
    let mut top = Graph::new();
    let mut inner: BTreeMap<String, Graph> = BTreeMap::new();
    for m in &modules {
        let subs = submodules(src, m);
        top.entry(m.clone()).or_default();
        for file in files_of(src, m) {
            let code = code_of(&file);
            // The submodule this file belongs to (None: the folder's mod.rs, or a plain file).
            let rel = file.strip_prefix(src.join(m)).ok();
            let own = rel
                .and_then(|r| r.components().next())
                .and_then(|c| c.as_os_str().to_str())
                .map(|s| s.trim_end_matches(".rs").to_string())
                .filter(|s| s != "mod");
            for p in paths_after(&code, "crate::") {
                if p[0] != *m && modules.contains(&p[0]) {
                    top.get_mut(m).unwrap().insert(p[0].clone());
                } else if p[0] == *m && p.len() > 1 && subs.contains(&p[1]) {
                    if let Some(own) = &own {
                        if *own != p[1] {
                            let g = inner.entry(m.clone()).or_default();
                            g.entry(own.clone()).or_default().insert(p[1].clone());
                        }
                    }
                }
            }
            if let Some(own) = &own {
                for p in paths_after(&code, "super::") {
                    if subs.contains(&p[0]) && p[0] != *own {
                        let g = inner.entry(m.clone()).or_default();
                        g.entry(own.clone()).or_default().insert(p[0].clone());
                    }
                }
            }
        }
    }
    (top, inner)
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
    let (top, inner) = graphs(&src);
    // The stages the plan is resolved into must not lean on the plan (it leans on their
    // settings types).
    assert!(top["plan"].contains("zone"), "the checker reads no imports");
    if let Some(c) = find_cycle(&top) {
        panic!(
            "import circle between top-level modules: {}\nthe graph: {top:#?}",
            c.join(" → ")
        );
    }
    for (m, g) in &inner {
        if let Some(c) = find_cycle(g) {
            panic!(
                "import circle inside {m}: {}\nthe graph: {g:#?}",
                c.join(" → ")
            );
        }
    }
}
