/// A configuration file that cannot be used, with what is wrong and where.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file the error is in, when read from a file.
  public var file: String?
  /// 1-based line number, when the error belongs to one line.
  public var line: Int?
  public var message: String

  public init(file: String? = nil, line: Int? = nil, _ message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  public var description: String {
    var prefix = file ?? "config"
    if let line { prefix += ":\(line)" }
    return "\(prefix): \(message)"
  }
}
