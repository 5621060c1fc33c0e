@CSW-SEC-1
Feature: Security updates and authenticated firmware
  The maker provides security updates for the whole maintenance period it
  declares. The watch installs only firmware signed by the maker and never
  goes back to an older version, however its number is written (1.0 is
  older than 1.0.1), so a seller cannot flash a modified or a
  known-vulnerable firmware.

  Scenario: Security updates are promised for the maintenance period
    Given a watch bound to its guardian
    Then the declaration and the watch both promise security updates for at least the profile's minimum period

  Scenario Outline: A firmware image <image> is refused
    Given a watch bound to its guardian
    When a newer firmware image <image> is offered
    Then the watch refuses
    And the installed firmware is unchanged

    Examples:
      | image                   |
      | without a signature     |
      | with a forged signature |

  Scenario: A signed update installs, and the firmware it replaced cannot come back
    Given a watch bound to its guardian
    When a newer firmware image signed by the maker is offered
    Then the watch allows it
    And the offered firmware is installed
    When the firmware it replaced is offered again, signed by the maker
    Then the watch refuses
    And the installed firmware is unchanged

  Scenario: An older firmware numbered with fewer parts cannot come back
    Given a watch bound to its guardian
    When a newer firmware image signed by the maker is offered
    Then the watch allows it
    When an older firmware numbered with fewer parts is offered, signed by the maker
    Then the watch refuses
    And the installed firmware is unchanged
