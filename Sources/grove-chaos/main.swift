print("grove-chaos: not yet")
