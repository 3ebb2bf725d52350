// Placeholder: replaced by the WebSocket fan-out benchmark.
print("StreamBench")
