/// Every key of the viewer, as `?` shows it and docs/viewer.md lists it.
public enum KeyMap {
    public struct Entry: Sendable {
        public var keys: String
        public var action: String
    }

    public struct Group: Sendable {
        public var title: String
        public var entries: [Entry]
    }

    public static let groups: [Group] = [
        Group(title: "images and panels", entries: [
            Entry(keys: "n / p  PgDn / PgUp", action: "next / previous image"),
            Entry(keys: "o", action: "order images: file, worst S2M IoU, worst threshold IoU, S2M behind, gap"),
            Entry(keys: "1 2 4 6 / 0", action: "show 1, 2, 4 or 6 panels / choose from the terminal size"),
            Entry(keys: "v", action: "other panels for this panel count"),
            Entry(keys: "+ / - / =", action: "zoom in (at the cursor) / out / whole image"),
            Entry(keys: "h j k l", action: "pan left, down, up, right"),
            Entry(keys: "C", action: "next colormap (viridis, inferno, magma, turbo, gray)"),
            Entry(keys: "d", action: "diff panel: S2M or threshold against ground truth"),
        ]),
        Group(title: "threshold baseline", entries: [
            Entry(keys: "← → or [ ]", action: "threshold down / up by 1% of the score range"),
            Entry(keys: "S-← S-→ or { }", action: "threshold down / up by 10%"),
            Entry(keys: "T", action: "threshold back to the image's default"),
        ]),
        Group(title: "prompts and S2M", entries: [
            Entry(keys: "Tab / S-Tab", action: "next / previous prompt (its mask in yellow)"),
            Entry(keys: "Space", action: "turn the selected prompt on / off"),
            Entry(keys: "x  Del", action: "delete the selected prompt"),
            Entry(keys: "c", action: "show / hide the cursor (arrows move it, Shift: 8x)"),
            Entry(keys: "a / r", action: "add a positive / negative point to the selected prompt"),
            Entry(keys: "i", action: "new prompt: a positive point at the cursor"),
            Entry(keys: "b  Enter", action: "box: first corner, then opposite corner (Esc cancels)"),
            Entry(keys: "g", action: "prompt generator parameters (changes remake the prompts)"),
            Entry(keys: "R", action: "remake the generated prompts (keeps your own)"),
            Entry(keys: "m", action: "switch segmenter backend"),
            Entry(keys: "Esc", action: "cancel a box / the running segmentation / hide the cursor"),
        ]),
        Group(title: "session", entries: [
            Entry(keys: "s", action: "save the session (prompts, parameters, edits) as JSON"),
            Entry(keys: "e", action: "export this image's masks as PNG"),
            Entry(keys: "t", action: "guided tour"),
            Entry(keys: "?", action: "this help (any key closes it)"),
            Entry(keys: "q", action: "quit (asks first when edits are unsaved)"),
        ]),
    ]

    /// The short hint shown on the last row when there is no message.
    public static let hint = "Tab prompts  ←→ threshold  n/p images  c cursor  g generator  t tour  ? keys  q quit"
    public static let asciiHint = "Tab prompts  <-/-> threshold  n/p images  c cursor  g generator  t tour  ? keys  q quit"
}
