// swift-tools-version:6.0
// Grove: ZooKeeper's data model and wire protocol, replicated by our own Raft.
// No package dependencies: the Swift toolchain and our own C shims only.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]
// The Raft core and the simulator are optimized even in debug builds: `swift test` runs
// thousands of simulated seeds, about 4x faster this way (200 seeds: 21.9 s of CPU unoptimized,
// 5.2 s with -O, on the 2-core build machine). `@testable import` still works.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
  name: "Grove",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "grove-server", targets: ["grove-server"]),
    .executable(name: "grove", targets: ["grove"]),
    .executable(name: "grove-sim", targets: ["grove-sim"]),
    .executable(name: "grove-bench", targets: ["grove-bench"]),
    .executable(name: "grove-proxy", targets: ["grove-proxy"]),
    .executable(name: "grove-chaos", targets: ["grove-chaos"]),
    .library(name: "GroveClient", targets: ["GroveClient"]),
  ],
  targets: [
    // Pure cores and codecs.
    .target(name: "RaftCore", swiftSettings: strict + optimized),
    .target(name: "ZooKeeperWire", swiftSettings: strict),
    .target(name: "PeerWire", dependencies: ["RaftCore"], swiftSettings: strict),
    .target(name: "CChecksums"),
    .target(name: "Checksums", dependencies: ["CChecksums"], swiftSettings: strict),
    .target(name: "DataTree", dependencies: ["ZooKeeperWire", "Checksums"], swiftSettings: strict),
    .target(
      name: "ServerCore", dependencies: ["RaftCore", "ZooKeeperWire", "DataTree"],
      swiftSettings: strict),
    // Shells.
    .target(name: "CLinuxShims"),
    .target(name: "Persistence", dependencies: ["RaftCore", "Checksums"], swiftSettings: strict),
    .target(name: "Transport", dependencies: ["CLinuxShims"], swiftSettings: strict),
    .target(
      name: "ServerRuntime", dependencies: ["ServerCore", "Persistence", "Transport", "PeerWire", "CLinuxShims"],
      swiftSettings: strict),
    .target(name: "GroveClient", dependencies: ["ZooKeeperWire", "Transport"], swiftSettings: strict),
    .target(name: "ChaosCheck", swiftSettings: strict + optimized),
    // Test support: the deterministic world.
    .target(
      name: "Simulation", dependencies: ["RaftCore", "Persistence"], swiftSettings: strict + optimized),
    // Executables.
    .executableTarget(name: "grove-server", dependencies: ["ServerRuntime"], swiftSettings: strict),
    .executableTarget(name: "grove", dependencies: ["GroveClient"], swiftSettings: strict),
    .executableTarget(name: "grove-sim", dependencies: ["Simulation"], swiftSettings: strict),
    .executableTarget(
      name: "grove-bench", dependencies: ["GroveClient", "Persistence"], swiftSettings: strict),
    .executableTarget(name: "grove-proxy", dependencies: ["Transport"], swiftSettings: strict),
    .executableTarget(
      name: "grove-chaos", dependencies: ["ChaosCheck", "GroveClient"], swiftSettings: strict),
    .executableTarget(name: "grove-wal-bench", dependencies: ["Persistence", "RaftCore"], swiftSettings: strict),
    .executableTarget(name: "grove-tree-bench", dependencies: ["DataTree"], swiftSettings: strict),
    // Tests mirror targets.
    .testTarget(name: "RaftCoreTests", dependencies: ["RaftCore", "Simulation"], exclude: ["Scenarios"]),
    .testTarget(name: "PeerWireTests", dependencies: ["PeerWire", "RaftCore"]),
    .testTarget(name: "ZooKeeperWireTests", dependencies: ["ZooKeeperWire"], exclude: ["Fixtures"]),
    .testTarget(name: "DataTreeTests", dependencies: ["DataTree", "ZooKeeperWire", "Checksums"]),
    .testTarget(
      name: "PersistenceTests", dependencies: ["Persistence", "RaftCore", "Simulation", "Checksums"], exclude: ["Fixtures"]),
    .testTarget(name: "TransportTests", dependencies: ["Transport", "CLinuxShims"]),
    .testTarget(name: "ServerCoreTests", dependencies: ["ServerCore", "DataTree", "ZooKeeperWire"]),
    .testTarget(name: "SimulationTests", dependencies: ["Simulation", "RaftCore"]),
    .testTarget(name: "ServerRuntimeTests", dependencies: ["ServerRuntime"]),
    .testTarget(name: "ProxyTests", dependencies: ["grove-proxy", "Transport", "CLinuxShims"]),
    .testTarget(name: "GroveClientTests", dependencies: ["GroveClient", "ZooKeeperWire", "Transport"]),
    .testTarget(name: "ChaosCheckTests", dependencies: ["ChaosCheck"]),
    // Real processes: servers started as child processes, real clients.
    .testTarget(name: "IntegrationTests", dependencies: ["GroveClient", "ZooKeeperWire"]),
  ],
  swiftLanguageModes: [.v6]
)
