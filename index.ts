/**
 * The construct library: the pipeline's modules for another CDKTF app. Each module is also a
 * subpath (`eks-control-plane-logs-to-s3/storage`, `/forwarder`, `/transform`, `/catalog`,
 * `/analytics`); `/stacks` has the account stacks this project deploys, `/envs` the typed
 * environment, `/hcl` the HCL renderer, and `/lambda.zip` the transform's bundle.
 */
export { Analytics, type AnalyticsProps } from "./modules/analytics";
export { Catalog, type CatalogProps } from "./modules/catalog";
export { ModuleValidationError } from "./modules/common/validate";
export { DeliveryStream, type DeliveryStreamProps, LogDestination, type LogDestinationProps, Subscription, type SubscriptionProps } from "./modules/forwarder";
export { Storage, type StorageProps } from "./modules/storage";
export { Transform, type TransformProps } from "./modules/transform";
export { LAMBDA_BUNDLE } from "./stacks/central";
