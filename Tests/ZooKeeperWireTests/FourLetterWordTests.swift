import Testing
import ZooKeeperWire

@Suite("Four-letter words")
struct FourLetterWordTests {
  @Test("each word's code is the big-endian int of its ASCII")
  func codes() {
    #expect(FourLetterWord.ruok.rawValue == 0x7275_6F6B)
    for word in FourLetterWord.allCases {
      let ascii = Array(word.description.utf8)
      #expect(ascii.count == 4)
      #expect(FourLetterWord(firstBytes: ascii) == word)
      #expect("\(word)" == word.description)
    }
    #expect(FourLetterWord.allCases.count == 18)
  }

  @Test("a connect request's length prefix is not a word, nor is a short read")
  func notWords() {
    #expect(FourLetterWord(firstBytes: [0, 0, 0, 45]) == nil)
    #expect(FourLetterWord(firstBytes: Array("ruo".utf8)) == nil)
    #expect(FourLetterWord(firstBytes: Array("RUOK".utf8)) == nil)
    #expect(FourLetterWord(firstBytes: Array("ruok\n".utf8)) == .ruok)
  }

  @Test("the telnet close sequence is 0xFFF4FFFD")
  func telnetClose() {
    #expect(UInt32(bitPattern: FourLetterWord.telnetCloseCode) == 0xFFF4_FFFD)
  }
}
