import ZooKeeperWire

/// A barrier (ZooKeeper's recipe): while the node at `path` exists, `wait()` blocks; removing
/// the node releases every waiter.
public struct Barrier: Sendable {
  /// The session used.
  public let client: GroveClient
  /// The barrier node.
  public let path: String

  /// A barrier at `path`.
  public init(client: GroveClient, path: String) {
    self.client = client
    self.path = path
  }

  /// Raises the barrier (creates the node and its parents; raised already is fine).
  public func set() async throws(ZooKeeperError) { try await client.createRecursively(path) }

  /// Lowers the barrier, releasing the waiters.
  public func remove() async throws(ZooKeeperError) {
    do throws(ZooKeeperError) {
      try await client.delete(path)
    } catch {
      if case .server(.noNode, _) = error { return }
      throw error
    }
  }

  /// Waits until the barrier is down (returns at once if it is).
  public func wait() async throws(ZooKeeperError) {
    while true {
      let (stat, watch) = try await client.watchExists(path)
      if stat == nil { return }
      _ = try await watch.event()
    }
  }
}

/// A double barrier (ZooKeeper's recipe, as Curator's DistributedDoubleBarrier): `enter()`
/// waits until `memberCount` participants have entered; `leave()` waits until all have left.
public struct DoubleBarrier: Sendable {
  /// The session used.
  public let client: GroveClient
  /// The barrier's node; participants are its ephemeral children.
  public let path: String
  /// How many participants make the barrier open.
  public let memberCount: Int
  /// This participant's name.
  public let name: String

  static let readyName = "ready"

  /// A participant `name` of the double barrier at `path` for `memberCount` participants.
  public init(client: GroveClient, path: String, memberCount: Int, name: String) {
    precondition(memberCount > 0, "a double barrier needs at least one member")
    self.client = client
    self.path = path
    self.memberCount = memberCount
    self.name = name
  }

  var ownPath: String { "\(path)/\(name)" }
  var readyPath: String { "\(path)/\(Self.readyName)" }

  /// Enters: registers this participant and waits until `memberCount` have entered.
  public func enter() async throws(ZooKeeperError) {
    try await client.createRecursively(path)
    let (ready, watch) = try await client.watchExists(readyPath)
    try await client.create(ownPath, mode: .ephemeral)
    if ready != nil { return }
    let members = try await client.getChildren(path).children.filter { $0 != Self.readyName }
    if members.count >= memberCount {
      do throws(ZooKeeperError) {
        try await client.create(readyPath)
      } catch {
        guard case .server(.nodeExists, _) = error else { throw error }
      }
      return
    }
    _ = try await watch.event()
  }

  /// Leaves: waits until every participant has left (the lowest waits for the others, the
  /// others for the lowest, so each deletion wakes one participant).
  public func leave() async throws(ZooKeeperError) {
    var ownExists = true
    while true {
      let members = try await client.getChildren(path).children.filter { $0 != Self.readyName }.sorted()
      if members.isEmpty { break }
      ownExists = members.contains(name)
      if ownExists && members == [name] {
        try? await client.delete(ownPath)
        break
      }
      let target: String
      if ownExists && members.first == name {
        target = members.last!
      } else {
        if ownExists {
          try? await client.delete(ownPath)
          ownExists = false
        }
        target = members.first!
      }
      let (stat, watch) = try await client.watchExists("\(path)/\(target)")
      if stat != nil { _ = try await watch.event() }
    }
    try? await client.delete(readyPath)
  }
}
