/// Which way bytes travel through a proxy.
///
/// The proxy sits between a *client side* (whoever connects to `--listen`; for a peer link, the
/// node with the smaller id, which dials) and the *target* (`--target`). `out` is client → target,
/// `in` is target → client.
enum Direction: String, CaseIterable, Sendable {
  case out
  case `in`
}

/// The faults applied to one direction.
struct DirectionFaults: Equatable, Sendable {
  /// Bytes in this direction are read and silently discarded while connections stay open.
  ///
  /// Why discard rather than close: a one-way partition is interesting for Raft only if the other
  /// direction keeps working (a leader that still hears a follower's replies but cannot reach it,
  /// a node whose votes go out but whose answers never come back). Closing would cut both ways.
  var isCut = false
  /// Bytes are held this long before they are forwarded (order kept).
  var delayMs: Int64 = 0
  /// Each chunk read in this direction closes its connection pair (both sides, with a reset)
  /// with this probability, instead of being forwarded.
  ///
  /// Why close rather than drop the chunk: our protocols are length-framed streams, and dropping
  /// bytes from the middle of a TCP stream desynchronizes the framing (the receiver would read a
  /// length out of payload bytes). Closing is what a lossy network eventually looks like to TCP
  /// users: a connection that breaks and must be re-established.
  var dropProbability: Double = 0

  /// No fault at all.
  var isClear: Bool { self == DirectionFaults() }
}

/// Every fault a proxy applies; a value, changed only by `apply(_:)`.
struct ProxyFaults: Equatable, Sendable {
  /// Both ways cut: existing connections were closed and new ones are refused.
  var isCut = false
  var out = DirectionFaults()
  var `in` = DirectionFaults()

  subscript(direction: Direction) -> DirectionFaults {
    get { direction == .out ? out : self.in }
    set {
      if direction == .out { out = newValue } else { self.in = newValue }
    }
  }

  /// No fault at all.
  var isClear: Bool { self == ProxyFaults() }

  /// Applies a fault-changing command (`status` changes nothing).
  mutating func apply(_ command: ControlCommand) {
    switch command {
    case .status: break
    case .cut: isCut = true
    case .heal: self = ProxyFaults()
    case .cutOneWay(let direction): self[direction].isCut = true
    case .delay(let directions, let ms):
      for direction in directions { self[direction].delayMs = ms }
    case .drop(let directions, let probability):
      for direction in directions { self[direction].dropProbability = probability }
    }
  }
}

/// One line of the control protocol, parsed.
enum ControlCommand: Equatable, Sendable {
  /// Reports the faults and counters; changes nothing.
  case status
  /// Closes every connection (reset) and refuses new ones, until `heal`.
  case cut
  /// Clears every fault. Connections whose bytes were discarded by a one-way cut are closed, since
  /// their streams lost bytes mid-frame.
  case heal
  /// Discards the bytes of one direction, keeping connections open.
  case cutOneWay(Direction)
  /// Holds bytes `ms` milliseconds in the given directions (0 ends the delay).
  case delay([Direction], ms: Int64)
  /// Closes a connection pair with this probability per chunk read in the given directions.
  case drop([Direction], probability: Double)

  /// The longest delay accepted, so a typo cannot hold bytes (and memory) for hours.
  static let delayMsMax: Int64 = 600_000

  /// The commands, one per line, for `help` and errors.
  static let usage =
    "status | cut | heal | cut-in | cut-out | delay MS | delay-in MS | delay-out MS | drop P | drop-in P | drop-out P"

  /// Parses one control line: a command word and its argument, separated by blanks.
  /// - Throws: `ControlError` for an unknown command, a missing or extra argument, or a value out
  ///   of range (delay 0...600000 ms, probability 0...1).
  static func parse(_ line: String) throws(ControlError) -> ControlCommand {
    let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
    guard let word = words.first else { throw .emptyCommand }
    let arguments = Array(words.dropFirst())
    func noArgument(_ command: ControlCommand) throws(ControlError) -> ControlCommand {
      guard arguments.isEmpty else { throw .unexpectedArgument(word) }
      return command
    }
    func one() throws(ControlError) -> String {
      guard arguments.count == 1 else { throw .missingArgument(word) }
      return arguments[0]
    }
    func directions(_ suffix: Substring) -> [Direction] {
      switch suffix {
      case "-in": return [.in]
      case "-out": return [.out]
      default: return [.out, .in]
      }
    }
    switch word {
    case "status": return try noArgument(.status)
    case "cut": return try noArgument(.cut)
    case "heal": return try noArgument(.heal)
    case "cut-in": return try noArgument(.cutOneWay(.in))
    case "cut-out": return try noArgument(.cutOneWay(.out))
    case "delay", "delay-in", "delay-out":
      let text = try one()
      guard let ms = Int64(text), ms >= 0, ms <= delayMsMax else { throw .badValue(word, text) }
      return .delay(directions(word.dropFirst(5)), ms: ms)
    case "drop", "drop-in", "drop-out":
      let text = try one()
      guard let probability = Double(text), probability >= 0, probability <= 1 else {
        throw .badValue(word, text)
      }
      return .drop(directions(word.dropFirst(4)), probability: probability)
    default:
      throw .unknownCommand(word)
    }
  }
}

/// Why a control line was refused; the proxy answers `error: <description>`.
enum ControlError: Error, Equatable, CustomStringConvertible {
  case emptyCommand
  case unknownCommand(String)
  case missingArgument(String)
  case unexpectedArgument(String)
  case badValue(String, String)
  case lineTooLong

  var description: String {
    switch self {
    case .emptyCommand: return "empty command; commands: \(ControlCommand.usage)"
    case .unknownCommand(let word): return "unknown command '\(word)'; commands: \(ControlCommand.usage)"
    case .missingArgument(let word): return "'\(word)' takes one argument"
    case .unexpectedArgument(let word): return "'\(word)' takes no argument"
    case .badValue(let word, let value):
      return "bad value '\(value)' for '\(word)' (delay: 0...\(ControlCommand.delayMsMax) ms, drop: 0...1)"
    case .lineTooLong: return "control line too long"
    }
  }
}
