import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { pinAddress } from './terraform-address';

export interface EnvironmentResourceGroupProps {
  /** Resource group name. */
  readonly name: string;
  /**
   * Create the group, or read an existing one by name.
   * @default true
   * @see https://learn.microsoft.com/azure/azure-resource-manager/management/manage-resource-groups-portal
   */
  readonly create?: boolean;
  /** Region of a created group (ignored for an existing one). */
  readonly location: string;
  /**
   * Tags of a created group.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The environment's resource group: `azurerm_resource_group`, or a data source when it exists. */
export class EnvironmentResourceGroup extends Construct {
  /** Name as a Terraform reference, so dependents wait for the group to exist. */
  readonly name: string;
  readonly id: string;
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: EnvironmentResourceGroupProps) {
    super(scope, id);
    this.created = props.create ?? true;
    if (this.created) {
      const rg = pinAddress(new ResourceGroup(this, 'group', { name: props.name, location: props.location, tags: { ...(props.tags ?? {}) } }), 'this');
      this.name = rg.name;
      this.id = rg.id;
    } else {
      const rg = pinAddress(new DataAzurermResourceGroup(this, 'group', { name: props.name }), 'this');
      this.name = rg.name;
      this.id = rg.id;
    }
  }
}
