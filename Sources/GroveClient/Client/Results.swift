import ZooKeeperWire

/// A node's data and metadata, from `getData`; `watch` is set when a watch was asked for.
public struct NodeData: Sendable {
  /// The node's bytes.
  public var data: [UInt8]
  /// The node's metadata.
  public var stat: Stat
  /// The one-shot watch armed by `getData(_:watch: true)`.
  public var watch: OneShotWatch?
}

/// A node's children (names, not paths, sorted) and its stat, from `getChildren`.
public struct ChildList: Sendable {
  /// The children's names, sorted.
  public var children: [String]
  /// The parent's metadata.
  public var stat: Stat
  /// The one-shot watch armed by `getChildren(_:watch: true)`.
  public var watch: OneShotWatch?
}

/// A created node: its actual path (with the sequence suffix for sequential nodes) and stat.
public struct CreatedNode: Hashable, Sendable {
  /// The path as created, relative to the chroot.
  public var path: String
  /// The new node's metadata.
  public var stat: Stat
}

/// One read of a `multiRead`.
public enum ReadOperation: Hashable, Sendable {
  /// Read a node's data.
  case getData(String)
  /// Read a node's children.
  case getChildren(String)
}

/// The outcome of one read of a `multiRead`; each read succeeds or fails on its own.
public enum ReadOutcome: Hashable, Sendable {
  /// The data and stat of a `getData`.
  case data([UInt8], Stat)
  /// The children of a `getChildren`, sorted.
  case children([String])
  /// The read failed with this code.
  case failed(ErrorCode)
}
