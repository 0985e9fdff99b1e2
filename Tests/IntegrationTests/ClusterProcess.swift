import Foundation
import Glibc
import ZooKeeperWire

/// N `grove-server` processes forming one cluster on loopback, node I on its own address
/// 127.0.0.(base+I) as on a host of its own.
final class ClusterProcess {
  let directory: ScratchDirectory
  let size: Int
  let hostBase: Int
  let clientPort: UInt16
  let peerPort: UInt16
  var nodes: [ServerProcess] = []

  init(name: String, size: Int, extraConfig: String = "") throws {
    directory = ScratchDirectory(name)
    self.size = size
    hostBase = 30 + Int(getpid() % 50) * 4
    clientPort = freePort()
    peerPort = freePort()
    let servers = (1...size).map { i in "server.\(i)=\(host(i)):\(peerPort);\(host(i)):\(clientPort)" }
      .joined(separator: "\n")
    for i in 1...size {
      let config = """
        tickTime=1000
        dataDir=\(directory.path)/node\(i)/data
        clientPortAddress=\(host(i))
        clientPort=\(clientPort)
        maxClientCnxns=0
        minSessionTimeout=1000
        4lw.commands.whitelist=*
        grove.myid=\(i)
        \(servers)
        \(extraConfig)
        """
      nodes.append(try ServerProcess(directory: directory.path + "/node\(i)", host: host(i), port: clientPort, config: config))
    }
  }

  func host(_ i: Int) -> String { "127.0.0.\(hostBase + i)" }

  func node(_ i: Int) -> ServerProcess { nodes[i - 1] }

  /// Starts every node and waits (bounded) until one leads.
  func start() throws {
    for node in nodes { try node.launch() }
    for node in nodes { try node.waitUntilServing() }
    _ = try waitForLeader()
  }

  /// The node that says `Mode: leader`, waiting up to `seconds`.
  func waitForLeader(seconds: Double = 15, excluding: Set<Int> = []) throws -> Int {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      for i in 1...size where !excluding.contains(i) && node(i).isRunning {
        if let text = try? node(i).fourLetterWord("srvr"), text.contains("Mode: leader") { return i }
      }
      usleep(50_000)
    }
    throw TestFailure("no leader within \(seconds) s")
  }

  func followers(of leader: Int) -> [Int] { (1...size).filter { $0 != leader } }

  func stop() {
    for node in nodes {
      node.kill(SIGTERM)
      node.kill(SIGKILL)
    }
    directory.remove()
  }

  /// A socket to node I with an open session.
  func session(on i: Int, timeoutMs: Int32 = 10_000) throws -> (TestSocket, ConnectResponse) {
    let socket = try TestSocket(host: host(i), port: clientPort)
    let response = try socket.handshake(timeoutMs: timeoutMs)
    guard response.timeOutMs > 0 else { throw TestFailure("node \(i) refused a session") }
    return (socket, response)
  }
}
