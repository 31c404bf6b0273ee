export {};
//# sourceMappingURL=byte-sink.js.map