/** The part of js-md4 (pure-JS MD4; OpenSSL 3 in Node has none) that NTLM uses. */
declare module "js-md4" {
  interface Md4 {
    arrayBuffer(message: ArrayBuffer | Uint8Array | string): ArrayBuffer;
    hex(message: ArrayBuffer | Uint8Array | string): string;
  }
  const md4: Md4;
  export default md4;
}
