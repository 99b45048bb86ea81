// The view and light uniform shared by the render passes (mirrors render::ViewGpu).
struct ViewGpu {
    view_proj: mat4x4f,
    view: mat4x4f,
    eye: vec4f,         // w: offset of the stored view distances (mm)
    viewport: vec4f,    // internal width, height, 1/width, 1/height
    proj: vec4f,        // x: focal length in internal pixels; y: depth tolerance (mm); z: min footprint σ (px); w: dots on (1/0)
    key_dir: vec4f,     // direction toward the key light (unused when it is at the camera)
    key_color: vec4f,
    fill_dir: vec4f,
    fill_color: vec4f,
    sky: vec4f,
    ground: vec4f,
    // Light returned from the dermis through the epidermis' melanin: the part pigment darkens.
    // w: sebum specular strength.
    dermis: vec4f,
    // Light returned above the dermis (epidermal scatter): pigment does not darken it.
    // w: base roughness of the sebum layer.
    epidermis: vec4f,
    ink: vec4f,         // rgb: ink optical density scale per channel (tone)
    hair: vec4f,        // rgb: linear albedo of existing hairs; w: hairs on (1/0)
    light: vec4f,       // x: key at the camera (1/0); y: key softness (rad); z: reference distance² (mm²) of a camera key
    mode: vec4f,        // x: 1 = show the exposure map instead of skin; y: samples a side each skin shading covers; z: supersampling (internal pixels an output pixel's side)
    scars: ScarGpu,      // the client's scars (src/scar.rs); none when all zero
    scar_dermis: vec4f, // scar tissue: dermal reflectance; w: sheen roughness
    scar_epidermis: vec4f,
}

@group(0) @binding(0) var<storage, read> view: ViewGpu;

// Direction toward the key light from `p` (xyz; w unused): fixed, or toward the camera for a
// flash.
fn key_light(p: vec3f) -> vec4f {
    if (view.light.x > 0.5) {
        return vec4f(normalize(view.eye.xyz - p), 0.0);
    }
    return vec4f(view.key_dir.xyz, 0.0);
}

// The key light's colour × irradiance at `p`: a flash falls off as 1/d², equal to its nominal
// value at the reference distance (the camera to the head's centre).
fn key_light_rgb(p: vec3f) -> vec3f {
    if (view.light.x > 0.5) {
        let to = view.eye.xyz - p;
        return view.key_color.rgb * (view.light.z / dot(to, to));
    }
    return view.key_color.rgb;
}

// Decodes a distance written by the skin pass.
fn view_distance(stored: vec4f) -> f32 {
    return view.eye.w + stored.r + stored.g;
}
