/** The cloud providers whose metadata services the agent knows. */
export type CloudProvider = 'aws' | 'gcp' | 'azure' | 'alibaba'

/** What a metadata service said about this instance; every field "" when unknown. */
export interface CloudInfo {
  /** `aws`, `gcp`, `azure`, `alibaba`, or "". */
  provider: string
  instanceId: string
  instanceType: string
  region: string
  zone: string
}

/** No cloud, or none that answered. */
export const EMPTY_CLOUD_INFO: Readonly<CloudInfo> = Object.freeze({
  provider: '',
  instanceId: '',
  instanceType: '',
  region: '',
  zone: '',
})
