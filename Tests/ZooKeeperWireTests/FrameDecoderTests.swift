import Testing
import ZooKeeperWire

@Suite("FrameDecoder cuts a byte stream into bounded frames")
struct FrameDecoderTests {
  private static let stream: [UInt8] =
    Frame.request(xid: Xid(1), .getData(GetDataRequest(path: "/abc", watch: true)))
    + Frame.request(xid: Xid(2), .ping)
    + Frame.request(xid: Xid(3), .sync(SyncRequest(path: "/")))
    + [0, 0, 0, 0]

  private static let expected: [[UInt8]] = [
    hexBytes("00000001 00000004 00000004 2f616263 01"),
    hexBytes("00000002 0000000b"),
    hexBytes("00000003 00000009 00000001 2f"),
    [],
  ]

  @Test("a stream split at every byte boundary yields the same frames")
  func everySplit() throws {
    for split in 0...Self.stream.count {
      var decoder = FrameDecoder()
      var frames: [[UInt8]] = []
      decoder.append(Self.stream[..<split])
      while let frame = try decoder.nextFrame() { frames.append(frame) }
      decoder.append(Self.stream[split...])
      while let frame = try decoder.nextFrame() { frames.append(frame) }
      #expect(frames == Self.expected, "split at \(split)")
      #expect(decoder.bufferedBytes == 0)
    }
  }

  @Test("a stream fed one byte at a time yields the same frames")
  func byteByByte() throws {
    var decoder = FrameDecoder()
    var frames: [[UInt8]] = []
    for byte in Self.stream {
      decoder.append(CollectionOfOne(byte))
      while let frame = try decoder.nextFrame() { frames.append(frame) }
    }
    #expect(frames == Self.expected)
  }

  @Test("a negative length is an error, and stays one")
  func negativeLength() {
    var decoder = FrameDecoder()
    decoder.append([0xff, 0xff, 0xff, 0xfe, 1, 2])
    #expect(throws: JuteError.frameLengthNegative(-2)) { _ = try decoder.nextFrame() }
    decoder.append([0, 0, 0, 0])
    #expect(throws: JuteError.frameLengthNegative(-2)) { _ = try decoder.nextFrame() }
  }

  @Test("a length above jute.maxbuffer is an error before its bytes arrive")
  func oversizeLength() throws {
    var decoder = FrameDecoder(frameBytesMax: 100)
    decoder.append([0, 0, 0, 100] + [UInt8](repeating: 7, count: 100))
    #expect(try decoder.nextFrame()?.count == 100)
    decoder.append([0, 0, 0, 101])
    #expect(throws: JuteError.frameLengthOverBound(length: 101, bound: 100)) {
      _ = try decoder.nextFrame()
    }
  }

  @Test("the default bound is ZooKeeper's jute.maxbuffer, 0xfffff")
  func defaultBound() throws {
    var decoder = FrameDecoder()
    #expect(decoder.frameBytesMax == 1_048_575)
    decoder.append([0x00, 0x10, 0x00, 0x00])
    #expect(throws: JuteError.frameLengthOverBound(length: 0x100000, bound: 0xfffff)) {
      _ = try decoder.nextFrame()
    }
  }

  @Test("peeking shows the first four bytes without consuming them")
  func peek() throws {
    var decoder = FrameDecoder()
    decoder.append(Array("ruo".utf8))
    #expect(decoder.peekInt32() == nil)
    decoder.append(Array("k".utf8))
    #expect(decoder.peekInt32() == FourLetterWord.ruok.rawValue)
    #expect(decoder.bufferedBytes == 4)
  }

  @Test("many frames drain without the buffer growing past one chunk")
  func manyFrames() throws {
    var decoder = FrameDecoder()
    let frame = Frame.request(xid: Xid(1), .getData(GetDataRequest(path: "/p", watch: false)))
    var count = 0
    for _ in 0..<2000 {
      decoder.append(frame + frame.prefix(3))
      while (try decoder.nextFrame()) != nil { count += 1 }
      decoder.append(frame.dropFirst(3))
      while (try decoder.nextFrame()) != nil { count += 1 }
      #expect(decoder.bufferedBytes == 0)
    }
    #expect(count == 4000)
  }

  @Test("bytes fed from a raw read buffer frame the same way")
  func rawBuffer() throws {
    var decoder = FrameDecoder()
    Self.stream.withUnsafeBytes { decoder.append($0) }
    var frames: [[UInt8]] = []
    while let frame = try decoder.nextFrame() { frames.append(frame) }
    #expect(frames == Self.expected)
  }
}
