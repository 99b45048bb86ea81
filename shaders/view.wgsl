// The view and light uniform shared by the render passes (mirrors render::ViewGpu).
struct View {
    view_proj: mat4x4f,
    view: mat4x4f,
    eye: vec4f,         // w: offset of the stored view distances (mm)
    viewport: vec4f,    // internal width, height, 1/width, 1/height
    proj: vec4f,        // x: focal length in internal pixels; y: depth tolerance (mm); z: min footprint σ (px); w: dots on (1/0)
    key_dir: vec4f,     // direction toward the light
    key_color: vec4f,
    fill_dir: vec4f,
    fill_color: vec4f,
    sky: vec4f,
    ground: vec4f,
    skin_albedo: vec4f, // linear RGB; w: sebum specular strength
    mode: vec4f,        // x: 1 = show the exposure map instead of skin
}

@group(0) @binding(0) var<uniform> view: View;

// Background (nothing drawn) is stored as this many millimetres.
const NO_SURFACE: f32 = 60000.0;

// Decodes a distance written by the skin pass.
fn view_distance(stored: vec4f) -> f32 {
    return view.eye.w + stored.r + stored.g;
}
