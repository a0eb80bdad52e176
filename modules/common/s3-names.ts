/**
 * S3 general purpose bucket naming rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 * Returns the first rule `name` breaks, or undefined.
 */
export function bucketNameProblem(name: string): string | undefined {
  const rule = (text: string) => `${text} (S3 bucket naming rules)`;
  if (name.length < 3 || name.length > 63) return rule(`must be 3–63 characters long; it is ${name.length}`);
  if (!/^[a-z0-9.-]+$/.test(name)) return rule("may contain only lowercase letters, digits, dots and hyphens");
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return rule("must begin and end with a letter or digit");
  if (name.includes("..")) return rule("must not contain two adjacent dots");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return rule("must not be formatted as an IP address");
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) {
    if (name.startsWith(prefix)) return rule(`must not start with "${prefix}"`);
  }
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
    if (name.endsWith(suffix)) return rule(`must not end with "${suffix}"`);
  }
  return undefined;
}
