/// A single-server membership change (Raft dissertation §4.1), carried by an entry of kind
/// `.confChange`. Changes go one at a time: the leader accepts a new one only after the previous
/// has been applied, and not before its own term's no-op is applied (the fix for the
/// single-server change bug reported on raft-dev, 2015).
public struct ConfChange: Hashable, Sendable, CustomStringConvertible {
  /// What the change does to `nodeID`.
  public enum Kind: UInt8, Sendable, CaseIterable {
    /// Make the node a voter; promotes a learner (which must have caught up).
    case addVoter = 0
    /// Add the node as a learner: it receives the log but neither votes nor counts toward quorum.
    case addLearner = 1
    /// Remove the node, voter or learner. A removed leader steps down once it applies this.
    case removeNode = 2
  }

  public var kind: Kind
  public var nodeID: NodeID

  public init(_ kind: Kind, _ nodeID: NodeID) {
    self.kind = kind
    self.nodeID = nodeID
  }

  public var description: String {
    switch kind {
    case .addVoter: "add-voter \(nodeID)"
    case .addLearner: "add-learner \(nodeID)"
    case .removeNode: "remove \(nodeID)"
    }
  }

  /// The current codec version. Version 1: `[version][kind][nodeID, 8 bytes little-endian]`.
  public static let codecVersion: UInt8 = 1

  /// The entry payload for this change.
  public func encoded() -> [UInt8] {
    var bytes: [UInt8] = [ConfChange.codecVersion, kind.rawValue]
    bytes.reserveCapacity(10)
    for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: nodeID.rawValue >> UInt64(shift))) }
    return bytes
  }

  /// Decodes an entry payload; never traps on hostile bytes.
  public static func decode(_ bytes: [UInt8]) throws(ConfChangeDecodingError) -> ConfChange {
    guard let version = bytes.first else { throw .truncated }
    guard version == 1 else { throw .unknownVersion(version) }
    guard bytes.count == 10 else { throw bytes.count < 10 ? .truncated : .trailingBytes }
    guard let kind = Kind(rawValue: bytes[1]) else { throw .unknownKind(bytes[1]) }
    var raw: UInt64 = 0
    for i in 0..<8 { raw |= UInt64(bytes[2 + i]) << UInt64(8 * i) }
    guard raw != 0 else { throw .zeroNodeID }
    return ConfChange(kind, NodeID(raw))
  }
}

/// Why a `ConfChange` payload could not be decoded.
public enum ConfChangeDecodingError: Error, Equatable, Sendable {
  case truncated
  case trailingBytes
  case unknownVersion(UInt8)
  case unknownKind(UInt8)
  case zeroNodeID
}

extension ConfState {
  /// The membership after `change`, or why the change is invalid against this membership.
  public func applying(_ change: ConfChange) -> Result<ConfState, RaftError> {
    let id = change.nodeID
    var voters = self.voters
    var learners = self.learners
    switch change.kind {
    case .addVoter:
      if voters.contains(id) { return .failure(.invalidConfChange("\(id) is already a voter")) }
      learners.removeAll { $0 == id }
      voters.append(id)
    case .addLearner:
      if voters.contains(id) { return .failure(.invalidConfChange("\(id) is a voter; demotion is not supported")) }
      if learners.contains(id) { return .failure(.invalidConfChange("\(id) is already a learner")) }
      learners.append(id)
    case .removeNode:
      guard voters.contains(id) || learners.contains(id) else {
        return .failure(.invalidConfChange("\(id) is not a member"))
      }
      voters.removeAll { $0 == id }
      learners.removeAll { $0 == id }
      if voters.isEmpty { return .failure(.invalidConfChange("removing the last voter")) }
    }
    return .success(ConfState(voters: voters, learners: learners))
  }

  /// Whether `id` is a voter or a learner.
  public func contains(_ id: NodeID) -> Bool { voters.contains(id) || learners.contains(id) }
}
