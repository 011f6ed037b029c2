// GOV.UK Frontend's components, started without an inline script (the CSP allows none).
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
