//! The offline page: one HTML file holding the viewer (three.js, bundled by
//! tools/build-viewer-bundle.sh into assets/viewer/viewer.js, committed) and the head as a
//! base64 .glb. It loads nothing from anywhere and sends nothing: a client can open it from a
//! USB stick with the network off.

/// The bundled viewer script (three.js, its glTF loader and orbit controls, and the page's own
/// code from tools/viewer/main.js).
pub const VIEWER_JS: &str = include_str!("../../assets/viewer/viewer.js");

/// The page showing `glb` (whose material variants are the moments the slider steps through),
/// titled `title`, starting at variant `start`.
pub fn page(glb: &[u8], title: &str, start: usize) -> String {
    use base64_engine::encode;
    let title = escape(title);
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob: data:; connect-src blob: data:">
<title>{title}</title>
<style>
html,body{{margin:0;height:100%;background:#202326;color:#eee;font:15px system-ui,sans-serif;overflow:hidden}}
#view{{position:absolute;inset:0}}
#bar{{position:absolute;left:0;right:0;bottom:0;padding:12px 16px;background:rgba(20,22,24,.85);display:flex;gap:14px;align-items:center;flex-wrap:wrap}}
#time{{flex:1;min-width:180px}}
#when{{min-width:7em;font-weight:600}}
button{{background:#3a4046;color:#eee;border:1px solid #555;border-radius:6px;padding:6px 12px;font:inherit}}
button.on{{background:#6b7d8c}}
h1{{position:absolute;top:10px;left:16px;margin:0;font-size:17px;font-weight:600}}
#note{{position:absolute;top:34px;left:16px;margin:0;font-size:13px;color:#aab}}
</style></head>
<body><div id="view"></div><h1>{title}</h1>
<p id="note">The scalp shown shaved bare: the pigment as it will look, without your own hair.</p>
<div id="bar"><span id="when"></span><input id="time" type="range" min="0" max="0" step="1" value="0">
<button id="before" title="hold to see the head before treatment">Before</button></div>
<script id="head" type="application/octet-stream" data-start="{start}">{data}</script>
<script>{VIEWER_JS}</script>
</body></html>
"#,
        data = encode(glb),
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Base64 (RFC 4648, with padding): small enough to own, not worth a dependency.
mod base64_engine {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            for k in 0..4 {
                if k <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[cfg(test)]
    #[test]
    fn encodes_the_rfc_4648_test_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in cases {
            assert_eq!(encode(plain.as_bytes()), coded);
        }
    }
}
