// What a dot looks like at time t (mirrors crate::ageing::Appearance): written by the age pass,
// read by the splat passes.
struct Appearance {
    // Pigment left, in units of Dot.pigment.
    amount: f32,
    // Extra footprint variance from spreading and fresh swelling, mm².
    spread_mm2: f32,
    // Redness of the skin around the wound, 0–1.
    redness: f32,
    // Scab crust's peak optical thickness.
    scab: f32,
}
