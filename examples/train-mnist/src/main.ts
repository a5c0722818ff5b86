import { version } from '@tensorloom/data'
console.log('v', version)
