import { describe, expect, it } from "vitest";
import { type AddressClass, classifyAddress, parseHostAsIp } from "./ip-policy.js";

describe("classifyAddress", () => {
  it.each<[string, AddressClass]>([
    // IPv4
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["93.184.216.34", "public"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["100.63.255.255", "public"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["100.128.0.0", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.169.254", "link_local"],
    ["169.254.0.1", "link_local"],
    ["172.15.255.255", "public"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.0", "public"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "reserved"],
    ["192.88.99.1", "reserved"],
    ["192.168.1.1", "private"],
    ["192.169.0.1", "public"],
    ["198.17.255.255", "public"],
    ["198.18.0.1", "reserved"],
    ["198.19.255.255", "reserved"],
    ["198.20.0.0", "public"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.9", "reserved"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["223.255.255.255", "public"],
    // IPv6
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["[::1]", "loopback"],
    ["2606:4700:4700::1111", "public"],
    ["2001:4860:4860::8888", "public"],
    ["fe80::1", "link_local"],
    ["fe80::1%eth0", "link_local"],
    ["febf:ffff::1", "link_local"],
    ["fec0::1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["3fff::1", "reserved"],
    ["2001::1", "reserved"],
    ["2001:2::1", "reserved"],
    ["100::1", "reserved"],
    ["5f00::1", "reserved"],
    ["4000::1", "reserved"],
    ["::2", "reserved"],
    // IPv6 carrying IPv4
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["0:0:0:0:0:ffff:7f00:1", "loopback"],
    ["::FFFF:A9FE:A9FE", "link_local"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:0:127.0.0.1", "loopback"],
    ["::127.0.0.1", "loopback"],
    ["::7f00:1", "loopback"],
    ["::8.8.8.8", "reserved"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "link_local"],
    ["64:ff9b::8.8.8.8", "public"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:a9fe:a9fe::", "link_local"],
    ["2002:c0a8:101::1", "private"],
    ["2002:808:808::1", "public"],
    // Not canonical addresses: resolve through parseHostAsIp first
    ["2130706433", "invalid"],
    ["0x7f000001", "invalid"],
    ["0177.0.0.1", "invalid"],
    ["127.1", "invalid"],
    ["256.0.0.1", "invalid"],
    ["1.2.3.4.5", "invalid"],
    ["127.0.0.1 ", "invalid"],
    ["localhost", "invalid"],
    ["", "invalid"],
    ["1::2::3", "invalid"],
    ["1:2:3:4:5:6:7:8:9", "invalid"],
    ["12345::1", "invalid"],
    ["::ffff:127.1", "invalid"],
    [":::1", "invalid"],
  ])("%s is %s", (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });
});

describe("parseHostAsIp", () => {
  const rows: Array<[string, string | null]> = [
    ["127.0.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0X7F000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["0xa9.0xfe.0xa9.0xfe", "169.254.169.254"],
    ["2852039166", "169.254.169.254"],
    ["0", "0.0.0.0"],
    ["0x", "0.0.0.0"],
    ["1.2.3.0x", "1.2.3.0"],
    ["4294967295", "255.255.255.255"],
    ["0xffffffff", "255.255.255.255"],
    ["10.1.65535", "10.1.255.255"],
    ["[::1]", "::1"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["[0:0:0:0:0:ffff:7f00:1]", "::ffff:7f00:1"],
    ["[::127.0.0.1]", "::7f00:1"],
    ["[2001:db8:0:0:1:0:0:1]", "2001:db8::1:0:0:1"],
    ["[2001:0:0:1:0:0:0:1]", "2001:0:0:1::1"],
    ["[1:0:0:2:0:0:0:3]", "1:0:0:2::3"],
    ["[::]", "::"],
    ["[2606:4700:4700:0:0:0:0:1111]", "2606:4700:4700::1111"],
  ];

  it.each(rows)("%s → %s, as WHATWG URL normalises it", (host, expected) => {
    expect(parseHostAsIp(host)).toBe(expected);
    expect(new URL(`http://${host}/`).hostname.replace(/^\[|\]$/g, "")).toBe(expected);
  });

  it.each([
    "example.com",
    "localhost",
    "1.2.3.4.5",
    "4294967296",
    "256.1",
    "1.256.0.1",
    "08.1.1.1",
    "0x1g",
    "1..1",
    "",
    "[fe80::1%25eth0]",
    "[1::2::3]",
  ])("%s is not an IP literal", (host) => {
    expect(parseHostAsIp(host)).toBeNull();
  });

  it("feeds classifyAddress: every spelling of loopback and metadata is caught", () => {
    for (const host of ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"]) {
      expect(classifyAddress(parseHostAsIp(host) ?? "")).toBe("loopback");
    }
    expect(classifyAddress(parseHostAsIp("0xa9fea9fe") ?? "")).toBe("link_local");
  });
});
