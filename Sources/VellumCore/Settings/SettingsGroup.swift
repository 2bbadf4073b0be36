/// The settings a module declares, once: a value type whose properties hold the defaults, and its table of
/// settings (key, type, checks), each documented in `docs/configuration.md`. The composition root registers the
/// group; the daemon's settings then read its keys from the file and the environment like its own, and refuse
/// unknown keys and malformed values alike.
public protocol SettingsGroup: Sendable, Equatable {
    init()
    static var table: [Setting<Self>] { get }
}
