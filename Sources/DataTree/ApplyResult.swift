import ZooKeeperWire

/// What applying one command produced: the reply for the requester and the changes to the tree
/// (for watch triggering), both deterministic.
public struct ApplyResult: Hashable, Sendable {
  /// The zxid the command was applied at.
  public var zxid: Zxid
  /// The outcome to send to the requester (if its connection is on this node).
  public var reply: Reply
  /// Every change to the tree, in the order ZooKeeper makes them (and fires watches).
  public var changes: [TreeChange]

  /// A result; apply builds these, tests and the simulator may too.
  public init(zxid: Zxid, reply: Reply, changes: [TreeChange]) {
    self.zxid = zxid
    self.reply = reply
    self.changes = changes
  }
}

/// The outcome of a command, with the data ZooKeeper returns for it.
public enum Reply: Hashable, Sendable {
  case sessionCreated(SessionID)
  /// The session is gone (closing an unknown session is also OK, as ZooKeeper).
  case sessionClosed(SessionID)
  /// The created path (with sequential suffix) and the new node's Stat.
  case created(path: String, stat: Stat)
  case deleted
  /// SetDataResponse's Stat.
  case dataSet(Stat)
  /// SetACLResponse's Stat.
  case aclSet(Stat)
  /// A standalone check passed; the node's Stat (ZooKeeper 3.9 answers with SetDataResponse).
  case checked(Stat)
  /// One result per operation. ReplyHeader.err is 0 even when an operation failed: then every
  /// result is `.error` (OK before the failing op, its code, RUNTIMEINCONSISTENCY after).
  case multi([MultiOutcome])
  /// The ReplyHeader error; nothing changed.
  case failed(ErrorCode)
  /// The session already had a command with this xid or a later one applied: nothing changed
  /// and nothing should be sent (the first application answered).
  case duplicate

  /// The ReplyHeader `err` value for this reply.
  public var errorCode: ErrorCode {
    if case .failed(let code) = self { return code }
    return .ok
  }
}

/// The result of one operation inside a multi.
public enum MultiOutcome: Hashable, Sendable {
  /// CreateResponse or Create2Response, by the request's op code.
  case created(path: String, stat: Stat)
  case deleted
  case dataSet(Stat)
  case checked
  /// ErrorResponse (header type -1).
  case error(ErrorCode)
}

/// One change to the tree, as ZooKeeper's DataTree triggers watches for it.
public enum TreeChange: Hashable, Sendable {
  /// A node was created: NodeCreated on it, NodeChildrenChanged on its parent.
  case nodeCreated(path: String)
  /// A node was deleted: NodeDeleted on it, NodeChildrenChanged on its parent.
  case nodeDeleted(path: String)
  /// A node's data was set: NodeDataChanged on it.
  case nodeDataChanged(path: String)

  /// The node the change is about.
  public var path: String {
    switch self {
    case .nodeCreated(let p), .nodeDeleted(let p), .nodeDataChanged(let p): return p
    }
  }
}
