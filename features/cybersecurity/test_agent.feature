@CSW-SEC-4
Feature: The test agent answers only the test lab
  The agent through which this harness drives the device must not become a
  back door: a request without the lab's token gets nothing.

  Scenario Outline: A request <credential> is refused
    Given a watch bound to its guardian
    When a request <credential> asks for the device information
    Then the test agent refuses it as unauthenticated

    Examples:
      | credential                     |
      | without the test-agent token   |
      | with a wrong test-agent token  |

  Scenario Outline: Every operation sent <credential> is refused as unauthenticated
    Given a watch bound to its guardian
    When a request <credential> is sent for every operation the harness knows
    Then the test agent refuses every one of them as unauthenticated

    Examples:
      | credential                    |
      | without the test-agent token  |
      | with a wrong test-agent token |
