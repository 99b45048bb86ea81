// Shadow pass: the head's depth seen from the key light (src/render/shadow.rs). Depth only.

@group(0) @binding(0) var<storage, read> shadow: ShadowGpu;

@vertex
fn vs_main(@location(0) position: vec3f, @location(1) normal: vec3f) -> @builtin(position) vec4f {
    return shadow.light_view_proj * vec4f(position, 1.0);
}
