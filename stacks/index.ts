/** The stacks this project deploys, for an app that builds them from its own environment. */
export { AccountStack, type AccountStackProps, AWS_PROVIDER_REQUIREMENT, REQUIRED_TERRAFORM } from "./account-stack";
export { BootstrapStack, type BootstrapStackProps } from "./bootstrap";
export { CentralStack, centralPipeline, type CentralPipelineOptions, LAMBDA_BUNDLE } from "./central";
export { stackNames } from "./names";
export { WorkloadStack, type WorkloadStackProps } from "./workload";
