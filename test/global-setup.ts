/** Builds the Lambda bundle once per jest run: the handler tests exercise dist/lambda/index.js, as deployed. */
import { buildLambda } from "../scripts/build-lambda";

export default async function globalSetup(): Promise<void> {
  await buildLambda();
}
