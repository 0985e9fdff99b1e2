import RaftCore
import Transport

/// Who is in the cluster and where this node listens, from the `server.N` lines.
struct ClusterLayout {
  var voters: [NodeID]
  var learners: [NodeID]
  /// This node's peer address (nil for a standalone node).
  var peerAddress: SocketAddress?
  var peers: [NodeID: SocketAddress]
  var clientHost: String
  var clientPort: UInt16

  init(_ config: ServerConfig, nodeID: NodeID) throws {
    let own = config.servers.first { $0.id == nodeID.rawValue }
    clientHost = own?.clientHost ?? config.clientPortAddress
    guard let port = own?.clientPort ?? config.clientPort else {
      throw StartupError("no client port for node \(nodeID): set clientPort or ;port on its server line")
    }
    clientPort = port
    if config.servers.count <= 1 {
      voters = [nodeID]
      learners = []
      peerAddress = nil
      peers = [:]
      return
    }
    guard let own else {
      throw StartupError("node \(nodeID) has no server.\(nodeID) line among \(config.servers.map { "server.\($0.id)" }.joined(separator: ", "))")
    }
    voters = config.servers.filter { !$0.isObserver }.map { NodeID($0.id) }
    learners = config.servers.filter(\.isObserver).map { NodeID($0.id) }
    guard !voters.isEmpty else { throw StartupError("every server is an observer: nobody can vote") }
    do {
      peerAddress = try SocketAddress.resolve(host: own.host, port: own.peerPort)
      var peers: [NodeID: SocketAddress] = [:]
      for server in config.servers where server.id != nodeID.rawValue {
        peers[NodeID(server.id)] = try SocketAddress.resolve(host: server.host, port: server.peerPort)
      }
      self.peers = peers
    } catch {
      throw StartupError("cannot resolve a server address: \(error)")
    }
  }
}
