export {};
//# sourceMappingURL=byte-source.js.map