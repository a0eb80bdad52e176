/**
 * The central log-archive account: everything the pipeline owns lives here,
 * in the home region, plus a CloudWatch Logs destination in every region that
 * sends logs (a destination must be in its senders' region).
 */
import type { Construct } from "constructs";
import type { ResolvedEnvironment } from "../envs/validate";
import { AccountStack } from "./account-stack";

export class CentralStack extends AccountStack {
  constructor(scope: Construct, name: string, env: ResolvedEnvironment) {
    super(scope, name, {
      env,
      accountId: env.central.accountId,
      region: env.central.region,
      access: env.central.access,
      state: env.central.state,
    });
  }
}
