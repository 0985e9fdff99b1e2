/// A chaos run's record: every client operation with its invoke and completion times, and the
/// state read at the end once faults were healed. The checkers judge it; nothing here does I/O.

/// One client of a chaos run (one session at a time). Operations of one process never overlap.
public struct ProcessID: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
  public var rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public static func < (a: ProcessID, b: ProcessID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "p\(rawValue)" }
}

/// How an operation ended, as its client saw it.
///
/// `failed` means it definitely did not take effect (the server refused it); `indeterminate`
/// means the client cannot know (timeout, connection loss): it may have taken effect at any
/// moment after its invocation, or never.
public enum Outcome<Output: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
  case ok(Output)
  case failed
  case indeterminate

  /// The output when the operation completed, else nil.
  public var output: Output? {
    if case .ok(let output) = self { return output }
    return nil
  }
}

/// An operation on a register key: a znode holding a number, with ZooKeeper's data version.
public enum RegisterInput: Hashable, Codable, Sendable, CustomStringConvertible {
  /// setData with version -1.
  case write(UInt64)
  /// sync, then getData.
  case read
  /// setData with an expected version.
  case compareAndSet(expectedVersion: Int32, value: UInt64)

  public var description: String {
    switch self {
    case .write(let v): return "write \(v)"
    case .read: return "read"
    case .compareAndSet(let e, let v): return "cas v\(e)->\(v)"
    }
  }
}

/// What a completed register operation returned.
public enum RegisterOutput: Hashable, Codable, Sendable, CustomStringConvertible {
  /// A write or compare-and-set took effect; the node's new data version.
  case written(version: Int32)
  /// A read's value and data version.
  case read(value: UInt64, version: Int32)
  /// A compare-and-set refused: the version did not match (ZooKeeper's badVersion).
  case badVersion

  public var description: String {
    switch self {
    case .written(let version): return "ok v\(version)"
    case .read(let value, let version): return "\(value) v\(version)"
    case .badVersion: return "badVersion"
    }
  }
}

/// One register operation. Times are monotonic nanoseconds from one clock; `completeNs` of an
/// indeterminate operation is when its client gave up, and the checkers ignore it.
public struct RegisterOperation: Hashable, Codable, Sendable {
  public var process: ProcessID
  public var key: String
  public var input: RegisterInput
  public var outcome: Outcome<RegisterOutput>
  public var invokeNs: UInt64
  public var completeNs: UInt64
  /// The zxid the reply revealed: the mzxid of the node written or read (nil if none).
  public var zxid: Int64?

  public init(
    process: ProcessID, key: String, input: RegisterInput, outcome: Outcome<RegisterOutput>,
    invokeNs: UInt64, completeNs: UInt64, zxid: Int64? = nil
  ) {
    self.process = process
    self.key = key
    self.input = input
    self.outcome = outcome
    self.invokeNs = invokeNs
    self.completeNs = completeNs
    self.zxid = zxid
  }
}

/// A sequential node created by an append: its actual name and czxid.
public struct AppendResult: Hashable, Codable, Sendable {
  public var name: String
  public var czxid: Int64
  public init(name: String, czxid: Int64) {
    self.name = name
    self.czxid = czxid
  }
}

/// One append: create(sequential) under the parent node `queue`, with a unique `tag` as its data.
public struct AppendOperation: Hashable, Codable, Sendable {
  public var process: ProcessID
  /// The parent the node was appended to (sequence numbers are per parent).
  public var queue: String
  public var tag: String
  public var outcome: Outcome<AppendResult>
  public var invokeNs: UInt64
  public var completeNs: UInt64

  public init(
    process: ProcessID, queue: String = "", tag: String, outcome: Outcome<AppendResult>, invokeNs: UInt64,
    completeNs: UInt64
  ) {
    self.process = process
    self.queue = queue
    self.tag = tag
    self.outcome = outcome
    self.invokeNs = invokeNs
    self.completeNs = completeNs
  }
}

/// How a session ended, as its client knows it at the end of the run.
public enum SessionEnd: String, Hashable, Codable, Sendable {
  /// The client closed it (closeSession acknowledged or sent): its ephemerals must be gone.
  case closed
  /// The client was told the session expired: its ephemerals must be gone.
  case expired
  /// The session answered an operation after the faults were healed: its ephemerals must stay.
  case alive
  /// The client cannot tell (its last operations were indeterminate): nothing is required.
  case unknown
}

/// An ephemeral node a session tried to create, and how that session ended.
public struct EphemeralRecord: Hashable, Codable, Sendable {
  public var process: ProcessID
  public var sessionID: Int64
  public var path: String
  /// `.ok(())` is modelled as `.ok(true)`.
  public var creation: Outcome<Bool>
  public var sessionEnd: SessionEnd

  public init(
    process: ProcessID, sessionID: Int64, path: String, creation: Outcome<Bool>, sessionEnd: SessionEnd
  ) {
    self.process = process
    self.sessionID = sessionID
    self.path = path
    self.creation = creation
    self.sessionEnd = sessionEnd
  }
}

/// A child of an appends parent (`queue`) in the final read.
public struct FinalChild: Hashable, Codable, Sendable {
  public var queue: String
  public var name: String
  public var tag: String
  public var czxid: Int64
  public init(queue: String = "", name: String, tag: String, czxid: Int64) {
    self.queue = queue
    self.name = name
    self.tag = tag
    self.czxid = czxid
  }
}

/// An ephemeral node present in the final read, with its owner session.
public struct FinalEphemeral: Hashable, Codable, Sendable {
  public var path: String
  public var ephemeralOwner: Int64
  public init(path: String, ephemeralOwner: Int64) {
    self.path = path
    self.ephemeralOwner = ephemeralOwner
  }
}

/// The state read (after sync) once the run ended and faults were healed.
public struct FinalState: Hashable, Codable, Sendable {
  public var appends: [FinalChild]
  public var ephemerals: [FinalEphemeral]
  public init(appends: [FinalChild] = [], ephemerals: [FinalEphemeral] = []) {
    self.appends = appends
    self.ephemerals = ephemerals
  }
}

/// Everything a chaos run recorded.
public struct History: Hashable, Codable, Sendable {
  /// Each register's value and data version before the run.
  public var initialRegisters: [String: RegisterState]
  public var registers: [RegisterOperation]
  public var appends: [AppendOperation]
  public var ephemerals: [EphemeralRecord]
  public var final: FinalState

  public init(
    initialRegisters: [String: RegisterState] = [:], registers: [RegisterOperation] = [],
    appends: [AppendOperation] = [], ephemerals: [EphemeralRecord] = [], final: FinalState = FinalState()
  ) {
    self.initialRegisters = initialRegisters
    self.registers = registers
    self.appends = appends
    self.ephemerals = ephemerals
    self.final = final
  }

  /// The register keys, sorted.
  public var registerKeys: [String] {
    Array(Set(registers.map(\.key)).union(initialRegisters.keys)).sorted()
  }
}
