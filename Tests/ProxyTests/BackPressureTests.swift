import Dispatch
import Glibc
import Synchronization
import Testing
import Transport

@testable import grove_proxy

@Suite("grove-proxy back-pressure", .serialized)
struct BackPressureTests {
  /// Without back-pressure the proxy would read the whole stream at once and overflow its write
  /// queue to the target (8 MiB cap), closing the connection.
  @Test("a target that does not read stops the client: the proxy reads only a bounded amount, loses nothing")
  func slowTargetBackPressuresClient() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    let total = 48 << 20
    let stream = pattern(count: total, seed: 3)
    let sent = Mutex(false)
    let sender = DispatchGroup()
    sender.enter()
    let clientFD = client.fd
    DispatchQueue.global().async {
      let succeeded = (try? TestSocket.send(stream, on: clientFD)) != nil
      sent.withLock { $0 = succeeded }
      sender.leave()
    }
    // Wait until the proxy has read some bytes and then stops reading (three equal readings in a
    // row, 50 ms apart).
    var readings: [Int] = []
    for _ in 0..<400 {
      readings.append(Int(try proxy.status("bytes-out") ?? "") ?? -1)
      if readings.count >= 3 && readings.last! > 0 && Set(readings.suffix(3)).count == 1 { break }
      usleep(50_000)
    }
    let stalledAt = readings.last ?? -1
    print("back-pressure: the proxy stopped reading after \(stalledAt) of \(total) bytes")
    #expect(stalledAt > 0 && stalledAt < total / 2)
    #expect(try proxy.status("connections") == "1")
    #expect(server.receive(count: total) == stream)
    #expect(sender.wait(timeout: .now() + .seconds(10)) == .success)
    #expect(sent.withLock { $0 })
  }

  @Test("a delay holds at most heldBytesMax (plus one read) before the proxy stops reading the source")
  func delayHoldsBoundedBytes() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    try proxy.control("delay-out 1000")
    let total = 3 << 20
    let stream = pattern(count: total, seed: 4)
    let sender = DispatchGroup()
    sender.enter()
    let clientFD = client.fd
    DispatchQueue.global().async {
      _ = try? TestSocket.send(stream, on: clientFD)
      sender.leave()
    }
    var readings: [Int] = []
    for _ in 0..<100 {
      readings.append(Int(try proxy.status("bytes-out") ?? "") ?? -1)
      if readings.count >= 3 && readings.last! > 0 && Set(readings.suffix(3)).count == 1 { break }
      usleep(20_000)
    }
    let held = readings.last ?? -1
    // Pausing happens once a read takes the held bytes to the limit: at most one read (64 KiB) more.
    #expect(held >= 1 << 20 && held <= (1 << 20) + 64 * 1024)
    #expect(server.receive(count: total) == stream)
    #expect(sender.wait(timeout: .now() + .seconds(10)) == .success)
  }
}
