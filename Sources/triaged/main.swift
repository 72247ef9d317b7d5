print("triaged")
