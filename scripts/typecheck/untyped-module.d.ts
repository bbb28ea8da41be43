// Stands in for a package whose declarations would bring Node's types into tsconfig.core.json.
export {};
