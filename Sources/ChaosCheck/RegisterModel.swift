/// A register's value and ZooKeeper data version.
public struct RegisterState: Hashable, Codable, Sendable, CustomStringConvertible {
  public var value: UInt64
  public var version: Int32
  public init(value: UInt64, version: Int32) {
    self.value = value
    self.version = version
  }
  public var description: String { "\(value) v\(version)" }
}

/// The sequential specification of a register as the search sees it. Either part may be unknown:
/// a window checked from the middle of a history starts knowing nothing, and learns the value
/// and version from the first operation that reveals them.
struct ModelState: Hashable {
  var value: UInt64?
  var version: Int32?

  static let unknown = ModelState(value: nil, version: nil)

  init(value: UInt64?, version: Int32?) {
    self.value = value
    self.version = version
  }

  init(_ state: RegisterState) {
    self.init(value: state.value, version: state.version)
  }

  /// The state after `input` takes effect with `output` (nil: an indeterminate operation that
  /// did take effect), or nil when the specification forbids that output here.
  ///
  /// As ZooKeeper: every successful setData increments the data version by one, whatever the
  /// expected version was; a setData whose expected version differs fails with badVersion and
  /// changes nothing. An indeterminate compare-and-set that "takes effect" with the wrong version
  /// is the same as never taking effect, so only the matching case is modelled.
  func step(_ input: RegisterInput, _ output: RegisterOutput?) -> ModelState? {
    switch (input, output) {
    case (.write(let value), nil):
      return ModelState(value: value, version: version.map { $0 &+ 1 })
    case (.write(let value), .written(let newVersion)?):
      if let version, version &+ 1 != newVersion { return nil }
      return ModelState(value: value, version: newVersion)
    case (.read, .read(let readValue, let readVersion)?):
      if let value, value != readValue { return nil }
      if let version, version != readVersion { return nil }
      return ModelState(value: readValue, version: readVersion)
    case (.compareAndSet(let expected, let value), nil):
      if let version, version != expected { return nil }
      return ModelState(value: value, version: expected &+ 1)
    case (.compareAndSet(let expected, let value), .written(let newVersion)?):
      if let version, version != expected { return nil }
      guard newVersion == expected &+ 1 else { return nil }
      return ModelState(value: value, version: newVersion)
    case (.compareAndSet(let expected, _), .badVersion?):
      if let version, version == expected { return nil }
      return self
    case (.read, nil):
      // An indeterminate read reveals nothing and changes nothing.
      return self
    default:
      // An output that does not belong to the input (a read answering "written") is illegal.
      return nil
    }
  }
}
